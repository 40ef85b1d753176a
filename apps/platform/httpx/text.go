package httpx

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/lettertomyself/ltm/apps/platform/fields"
)

var rawMessage = reflect.TypeFor[json.RawMessage]()

// textProblems walks what DecodeJSON decoded and names every field whose
// text no field accepts (fields.Text: control characters, bidi controls).
// Each service then applies its own rules (one line, lengths) on top; this
// one check means no request reaches a handler, a database or the outbox
// with a NUL in it, whichever service and field.
func textProblems(v any) map[string]string {
	out := map[string]string{}
	walkText(reflect.ValueOf(v), "", out)
	return out
}

func walkText(v reflect.Value, path string, out map[string]string) {
	if !v.IsValid() {
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkText(v.Elem(), path, out)
		}
	case reflect.String:
		report(path, v.String(), out)
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				walkText(v.Field(i), path, out)
				continue
			}
			if name == "" {
				name = f.Name
			}
			walkText(v.Field(i), join(path, name), out)
		}
	case reflect.Slice, reflect.Array:
		if v.Type() == rawMessage {
			// Decoded later by the handler (a PATCH's optional fields): look
			// at its text now, as JSON sees it.
			var inner any
			if json.Unmarshal(v.Bytes(), &inner) == nil {
				walkText(reflect.ValueOf(inner), path, out)
			}
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes, not text
		}
		for i := range v.Len() {
			walkText(v.Index(i), path, out)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			key := k
			if key.Kind() == reflect.Interface {
				key = key.Elem()
			}
			if key.Kind() == reflect.String {
				report(join(path, keyName(key)), key.String(), out)
			}
			walkText(v.MapIndex(k), join(path, keyName(key)), out)
		}
	}
}

func report(path, s string, out map[string]string) {
	if msg := fields.Text(s); msg != "" {
		if path == "" {
			path = "body"
		}
		if _, seen := out[path]; !seen {
			out[path] = msg
		}
	}
}

func keyName(k reflect.Value) string {
	if k.Kind() == reflect.String {
		// A key that is itself bad text is reported under a clean name.
		if fields.Text(k.String()) != "" {
			return "key"
		}
		return k.String()
	}
	return "key"
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
