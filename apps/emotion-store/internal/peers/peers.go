// Package peers implements the domain's ports on the other services,
// called through Dapr service invocation: letter-service lists a user's
// letters, emotion-ml-service re-analyses one, user-service tells a
// user's zone and language (the platform's contact lookup).
package peers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/contact"
	"github.com/lettertomyself/ltm/apps/platform/daprx"
	"github.com/lettertomyself/ltm/apps/platform/problem"
	"github.com/lettertomyself/ltm/apps/platform/wallclock"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/emotion"
)

// App ids of the services called.
const (
	LetterService = "letter-service"
	EmotionML     = "emotion-ml-service"
)

// Invoker calls method path on app through the sidecar with a JSON body
// (nil for none); daprx.Sidecar.Invoke is one.
type Invoker func(ctx context.Context, method, app, path string, body []byte) ([]byte, error)

// Letters implements emotion.Letters on letter-service.
type Letters struct{ invoke Invoker }

// NewLetters returns letter-service's client.
func NewLetters(invoke Invoker) *Letters { return &Letters{invoke: invoke} }

// List returns the ids of userID's letters.
func (l *Letters) List(ctx context.Context, userID string) ([]string, error) {
	body, err := l.invoke(ctx, http.MethodGet, LetterService, "/internal/users/"+url.PathEscape(userID)+"/letters", nil)
	if err != nil {
		return nil, classify(err)
	}
	var letters []struct {
		LetterID  string    `json:"letter_id"`
		WrittenAt time.Time `json:"written_at"`
	}
	if err := json.Unmarshal(body, &letters); err != nil {
		return nil, fmt.Errorf("%w: letter-service's letter list: %w", emotion.ErrPermanent, err)
	}
	ids := make([]string, 0, len(letters))
	for _, l := range letters {
		if l.LetterID == "" {
			return nil, fmt.Errorf("%w: letter-service listed a letter without an id", emotion.ErrPermanent)
		}
		ids = append(ids, l.LetterID)
	}
	return ids, nil
}

// Analyzer implements emotion.Analyzer on emotion-ml-service.
type Analyzer struct{ invoke Invoker }

// NewAnalyzer returns emotion-ml-service's client.
func NewAnalyzer(invoke Invoker) *Analyzer { return &Analyzer{invoke: invoke} }

// Analyze asks for letterID's analysis on behalf of jobID; the result
// comes back as an emotion.analyzed event carrying the job id.
func (a *Analyzer) Analyze(ctx context.Context, letterID, userID, jobID string) error {
	body, err := json.Marshal(map[string]string{"letter_id": letterID, "user_id": userID, "job_id": jobID})
	if err != nil {
		return err
	}
	_, err = a.invoke(ctx, http.MethodPost, EmotionML, "/internal/analyze", body)
	return classify(err)
}

// classify maps another service's answer onto the domain's errors: a 404
// problem is a letter that is gone (a bare 404 is a missing route: the
// deployment is wrong, not the letter), other client errors are
// refusals that asking again cannot change, the rest may pass.
func classify(err error) error {
	var st *daprx.StatusError
	if !errors.As(err, &st) {
		return err
	}
	switch {
	case st.Status == http.StatusNotFound && problem.TypeOf(st.Body) != "":
		return fmt.Errorf("%w: %w", emotion.ErrLetterGone, err)
	case st.Status == http.StatusRequestTimeout || st.Status == http.StatusTooManyRequests || st.Status >= 500:
		return err
	default:
		return fmt.Errorf("%w: %w", emotion.ErrPermanent, err)
	}
}

// Profiles implements emotion.Profiles on user-service's contact lookup.
type Profiles struct{ contacts *contact.Client }

// NewProfiles returns the profile lookup over the platform's client.
func NewProfiles(c *contact.Client) *Profiles { return &Profiles{contacts: c} }

// Profile returns userID's zone and language; a user without a profile
// reads in the default zone and Korean. Any other failure is an error.
func (p *Profiles) Profile(ctx context.Context, userID string) (emotion.Profile, error) {
	c, err := p.contacts.Lookup(ctx, userID)
	if errors.Is(err, contact.ErrNoProfile) {
		return emotion.Profile{Location: wallclock.DefaultLocation(), Locale: emotion.Korean}, nil
	}
	if err != nil {
		return emotion.Profile{}, err
	}
	loc, err := wallclock.LoadZone(c.Timezone)
	if err != nil {
		// The two services' zone databases may differ for a while.
		loc = wallclock.DefaultLocation()
	}
	locale := c.Locale
	if locale != emotion.English {
		locale = emotion.Korean
	}
	return emotion.Profile{Location: loc, Locale: locale}, nil
}
