package daprx

import (
	"errors"
	"fmt"
	"testing"
)

func TestSecretNotFound(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"no error", nil, false},
		{"the store's map lacked the key", fmt.Errorf("secret x: %w", ErrSecretNotFound), true},
		{"local.file", errors.New(`rpc error: code = Unknown desc = failed getting secret with key openai-api-key from secret store secretstore: secret openai-api-key not found`), true},
		{"kubernetes", errors.New(`rpc error: code = Unknown desc = failed getting secret with key x from secret store kubernetes: secrets "x" not found`), true},
		{"store unreachable", errors.New(`rpc error: code = Unavailable desc = connection refused`), false},
		{"access denied", errors.New(`rpc error: code = PermissionDenied desc = access denied by policy to get "x" from "secretstore"`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SecretNotFound(tt.err); got != tt.want {
				t.Errorf("SecretNotFound(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
