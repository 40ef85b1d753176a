package app

import (
	"strings"
	"testing"

	"github.com/lettertomyself/ltm/apps/recommend/internal/catalog"
)

func TestTitleKeyIgnoresCaseSpacesAndPunctuation(t *testing.T) {
	tests := []struct{ a, b string }{
		{"Fix You", "fix you"},
		{"Bridge over Troubled Water", "Bridge Over Troubled Water!"},
		{"8월의 크리스마스", "8월의  크리스마스"},
		{"Don't Stop Me Now", "Dont Stop Me Now"},
	}
	for _, tt := range tests {
		if titleKey(tt.a) != titleKey(tt.b) {
			t.Errorf("%q and %q differ: %q vs %q", tt.a, tt.b, titleKey(tt.a), titleKey(tt.b))
		}
	}
	if titleKey("Up") == titleKey("Us") {
		t.Error("different titles share a key")
	}
}

// A model id depends on what the work is, not on how the model phrased
// it today, so feedback given today still applies when it is suggested
// again tomorrow.
func TestModelIDIsStableForTheSameWork(t *testing.T) {
	a := catalog.Item{Type: catalog.Music, OriginalTitle: "Fix You", Creator: "Coldplay", TitleKo: "픽스 유", ReasonEn: "one"}
	b := catalog.Item{Type: catalog.Music, OriginalTitle: "fix you", Creator: "COLDPLAY", TitleKo: "Fix You (픽스 유)", ReasonEn: "two"}
	if modelID(a) != modelID(b) {
		t.Errorf("%s != %s for the same song", modelID(a), modelID(b))
	}
	if !strings.HasPrefix(modelID(a), ModelIDPrefix+"music-") {
		t.Errorf("id %s", modelID(a))
	}
	film := a
	film.Type = catalog.Movie
	if modelID(film) == modelID(a) {
		t.Error("a film and a song of the same name share an id")
	}
}
