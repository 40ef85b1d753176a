// Package secretsfile maintains the flat JSON file that daprd's local.file
// secret store reads in development. It only ever adds: a value once written
// stays, because data encrypted or tokens signed with it must stay readable
// across runs.
package secretsfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Ensure makes sure the file at path holds every key, generating the missing
// ones, and returns the names it added. The file is written with mode 0600
// and, if its directory has to be made, that gets 0700. A file that is not a
// flat JSON object of strings is an error and is left alone.
func Ensure(path string, keys []Key, rnd io.Reader) ([]string, error) {
	secrets, err := read(path)
	if err != nil {
		return nil, err
	}
	var added []string
	for _, k := range keys {
		if _, ok := secrets[k.Name]; ok {
			continue
		}
		v, err := k.Generate(rnd)
		if err != nil {
			return nil, fmt.Errorf("generate %s: %w", k.Name, err)
		}
		secrets[k.Name] = v
		added = append(added, k.Name)
	}
	if len(added) == 0 {
		// Still tighten a file someone made readable to others.
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, fmt.Errorf("secrets file: %w", err)
		}
		return nil, nil
	}
	if err := write(path, secrets); err != nil {
		return nil, err
	}
	return added, nil
}

func read(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read secrets file: %w", err)
	}
	secrets := map[string]string{}
	if err := json.Unmarshal(data, &secrets); err != nil {
		return nil, fmt.Errorf("secrets file %s is not a flat JSON object of strings: %w", path, err)
	}
	return secrets, nil
}

// write replaces the file atomically, so an interrupted run cannot leave a
// half-written file that loses existing values.
func write(path string, secrets map[string]string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("secrets dir: %w", err)
	}
	data, err := json.MarshalIndent(secrets, "", "  ")
	if err != nil {
		return fmt.Errorf("encode secrets: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".secrets-*.json")
	if err != nil {
		return fmt.Errorf("write secrets: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("write secrets: %w", err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("write secrets: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write secrets: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write secrets: %w", err)
	}
	return nil
}

// Get returns one value of the secrets file at path.
func Get(path, key string) (string, error) {
	secrets, err := read(path)
	if err != nil {
		return "", err
	}
	v, ok := secrets[key]
	if !ok {
		return "", fmt.Errorf("%s has no key %q (run `make infra`)", path, key)
	}
	return v, nil
}
