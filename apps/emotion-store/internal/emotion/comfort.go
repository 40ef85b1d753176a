package emotion

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// Languages comfort messages are written in; Korean is the default.
const (
	Korean  = "ko"
	English = "en"
)

// noData keys the message for a user with nothing analysed yet.
const noData = "none"

//go:embed data/comfort.json
var comfortJSON []byte

// Comforts holds one short, warm message per mood, plus one for "no data
// yet", in Korean and English (data/comfort.json).
type Comforts struct {
	byLang map[string]map[string]string
}

// LoadComforts parses the embedded messages and checks that every
// language has every message.
func LoadComforts() (*Comforts, error) {
	var byLang map[string]map[string]string
	if err := json.Unmarshal(comfortJSON, &byLang); err != nil {
		return nil, fmt.Errorf("comfort messages: %w", err)
	}
	for _, lang := range []string{Korean, English} {
		msgs := byLang[lang]
		for _, key := range append([]string{noData}, moodKeys()...) {
			if msgs[key] == "" {
				return nil, fmt.Errorf("comfort messages: %s has none for %q", lang, key)
			}
		}
	}
	return &Comforts{byLang: byLang}, nil
}

// For returns the message for the most frequent mood m ("" for no data)
// in lang, falling back to Korean for a language without messages.
func (c *Comforts) For(m Mood, lang string) string {
	msgs, ok := c.byLang[lang]
	if !ok {
		msgs = c.byLang[Korean]
	}
	if m == "" {
		return msgs[noData]
	}
	return msgs[string(m)]
}

func moodKeys() []string {
	out := make([]string, len(Moods))
	for i, m := range Moods {
		out[i] = string(m)
	}
	return out
}
