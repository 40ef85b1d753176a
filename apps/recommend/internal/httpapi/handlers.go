package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"

	"github.com/lettertomyself/ltm/apps/platform/authn"
	"github.com/lettertomyself/ltm/apps/platform/fields"
	"github.com/lettertomyself/ltm/apps/platform/httpx"
	"github.com/lettertomyself/ltm/apps/platform/problem"

	"github.com/lettertomyself/ltm/apps/recommend/internal/app"
	"github.com/lettertomyself/ltm/apps/recommend/internal/catalog"
	"github.com/lettertomyself/ltm/apps/recommend/internal/recommend"
)

type handlers struct {
	svc    *app.Service
	log    *slog.Logger
	locale func(ctx context.Context, userID string) string
}

// itemDTO is one item as the API shows it, in the caller's language.
type itemDTO struct {
	ID            string   `json:"id"`
	Type          string   `json:"type"`
	Title         string   `json:"title"`
	OriginalTitle string   `json:"original_title"`
	Creator       string   `json:"creator"`
	Year          *int     `json:"year"` // null for activities
	Tags          []string `json:"tags"`
	Reason        string   `json:"reason"`
	// Source is "catalog" or "model" (suggested by the external model).
	Source string `json:"source"`
}

func toItem(it app.Item, lang string) itemDTO {
	dto := itemDTO{
		ID: it.ID, Type: string(it.Type), Title: it.Title(lang), OriginalTitle: it.OriginalTitle,
		Creator: it.Creator, Tags: it.Tags, Reason: it.Reason(lang), Source: "catalog",
	}
	if it.Year != 0 {
		y := it.Year
		dto.Year = &y
	}
	if dto.Tags == nil {
		dto.Tags = []string{}
	}
	if it.Model {
		dto.Source = "model"
	}
	return dto
}

type answerDTO struct {
	Mood    string    `json:"mood"`
	Because string    `json:"because"`
	Items   []itemDTO `json:"items"`
}

// recommend answers items for the caller's recent mood.
func (h *handlers) recommend(c *gin.Context) {
	userID := authn.UserID(c.Request.Context())
	if userID == "" {
		authn.Unauthorized(c, "Sign in first: this needs an access token.")
		return
	}
	var invalid fields.Set
	q := app.Query{PerType: recommend.DefaultLimit}
	if raw, ok := c.GetQuery("types"); ok {
		types, err := parseTypes(raw)
		if err != nil {
			invalid.Add("types", err.Error())
		}
		q.Types = types
	}
	if raw, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > recommend.MaxLimit {
			invalid.Add("limit", "must be a whole number from 1 to "+strconv.Itoa(recommend.MaxLimit))
		}
		q.PerType = n
	}
	lang, given := h.queryLang(c, &invalid)
	if err := invalid.Err(); err != nil {
		h.fail(c, err)
		return
	}
	// Without ?lang= the profile's locale (user-service) is looked up
	// while the items are chosen.
	langs := make(chan string, 1)
	if given {
		langs <- lang
	} else {
		ctx, accept := c.Request.Context(), c.GetHeader("Accept-Language")
		go func() { langs <- h.profileLang(ctx, userID, accept) }()
	}
	ans, err := h.svc.Recommend(c.Request.Context(), userID, q)
	if err != nil {
		h.fail(c, err)
		return
	}
	lang = <-langs
	out := answerDTO{Mood: string(ans.Mood), Because: ans.Because, Items: make([]itemDTO, 0, len(ans.Items))}
	for _, it := range ans.Items {
		out.Items = append(out.Items, toItem(it, lang))
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Vary", "Accept-Language")
	c.JSON(http.StatusOK, out)
}

// parseTypes reads "movie,music": known types, each once.
func parseTypes(raw string) ([]catalog.Type, error) {
	var out []catalog.Type
	for part := range strings.SplitSeq(raw, ",") {
		t, err := catalog.ParseType(strings.TrimSpace(part))
		if err != nil {
			return nil, errors.New("must be a comma-separated list of movie, music, book, activity")
		}
		for _, seen := range out {
			if seen == t {
				return nil, errors.New("names " + string(t) + " twice")
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// supported are the languages titles and reasons exist in; the first is
// the default (the product is Korean first).
var supported = []language.Tag{language.Korean, language.English}

var matcher = language.NewMatcher(supported)

// callerLang is ?lang= (ko or en) when given, else the caller's profile
// locale, else the best match of Accept-Language, else Korean. A bad lang
// is added to invalid.
func (h *handlers) callerLang(c *gin.Context, userID string, invalid *fields.Set) string {
	if lang, given := h.queryLang(c, invalid); given {
		return lang
	}
	return h.profileLang(c.Request.Context(), userID, c.GetHeader("Accept-Language"))
}

// queryLang is ?lang= and whether it was given; a bad one is added to
// invalid.
func (h *handlers) queryLang(c *gin.Context, invalid *fields.Set) (string, bool) {
	raw, ok := c.GetQuery("lang")
	if ok && raw != "ko" && raw != "en" {
		invalid.Add("lang", "must be ko or en")
	}
	return raw, ok
}

// profileLang is the caller's profile locale, else the best match of
// acceptLanguage, else Korean.
func (h *handlers) profileLang(ctx context.Context, userID, acceptLanguage string) string {
	if l := h.locale(ctx, userID); l != "" {
		return l
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return "ko"
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return "ko"
	}
	base, _ := supported[i].Base()
	return base.String()
}

type feedbackIn struct {
	ItemID   *string `json:"item_id"`
	Feedback *string `json:"feedback"`
}

// maxItemIDLen bounds item ids (catalog ids are short words; model ids
// are fixed length).
const maxItemIDLen = 120

// setFeedback records like, dislike or none (clears) on an item.
func (h *handlers) setFeedback(c *gin.Context) {
	userID := authn.UserID(c.Request.Context())
	if userID == "" {
		authn.Unauthorized(c, "Sign in first: this needs an access token.")
		return
	}
	var in feedbackIn
	if err := httpx.DecodeJSON(c, &in, 4<<10); err != nil {
		h.fail(c, err)
		return
	}
	var invalid fields.Set
	switch {
	case in.ItemID == nil || strings.TrimSpace(*in.ItemID) == "":
		invalid.Add("item_id", "is required")
	case len(*in.ItemID) > maxItemIDLen:
		invalid.Add("item_id", "is too long")
	}
	if in.Feedback == nil {
		invalid.Add("feedback", "is required: like, dislike or none")
	} else if _, err := app.ParseFeedback(*in.Feedback); err != nil {
		invalid.Add("feedback", "must be like, dislike or none")
	}
	if err := invalid.Err(); err != nil {
		h.fail(c, err)
		return
	}
	if err := h.svc.SetFeedback(c.Request.Context(), userID, *in.ItemID, app.Feedback(*in.Feedback)); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type ratedDTO struct {
	itemDTO
	Feedback string    `json:"feedback"`
	RatedAt  time.Time `json:"rated_at"`
}

type ratedListDTO struct {
	Items []ratedDTO `json:"items"`
}

// listFeedback answers the caller's likes and dislikes, newest first.
func (h *handlers) listFeedback(c *gin.Context) {
	userID := authn.UserID(c.Request.Context())
	if userID == "" {
		authn.Unauthorized(c, "Sign in first: this needs an access token.")
		return
	}
	var invalid fields.Set
	lang := h.callerLang(c, authn.UserID(c.Request.Context()), &invalid)
	if err := invalid.Err(); err != nil {
		h.fail(c, err)
		return
	}
	rated, err := h.svc.Feedback(c.Request.Context(), userID)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := ratedListDTO{Items: make([]ratedDTO, 0, len(rated))}
	for _, r := range rated {
		out.Items = append(out.Items, ratedDTO{itemDTO: toItem(r.Item, lang), Feedback: string(r.Feedback), RatedAt: r.At})
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Vary", "Accept-Language")
	c.JSON(http.StatusOK, out)
}

// fail is the one place errors become problem responses.
func (h *handlers) fail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, app.ErrUnknownItem):
		httpx.Abort(c, problem.Typed(http.StatusNotFound, "recommendation-item-not-found", "Unknown item",
			"No recommendation has this item_id."))
	default:
		// *problem.Problem from decoding and *fields.Error pass through as
		// themselves; the rest is a 500.
		httpx.Fail(c, h.log, err)
	}
}
