package wallclock_test

import (
	"testing"
	"time"

	"github.com/lettertomyself/ltm/apps/platform/wallclock"
)

func TestAt(t *testing.T) {
	load := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	ny, london, seoul := load("America/New_York"), load("Europe/London"), load("Asia/Seoul")
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	tests := []struct {
		name      string
		y         int
		m         time.Month
		d, h, min int
		loc       *time.Location
		want      time.Time
	}{
		{"ordinary Seoul time", 2026, 11, 25, 9, 0, seoul, utc(2026, 11, 25, 0, 0)},
		{"New York gap moves forward", 2026, 3, 8, 2, 30, ny, utc(2026, 3, 8, 7, 30)},
		{"New York overlap takes the first", 2026, 11, 1, 1, 30, ny, utc(2026, 11, 1, 5, 30)},
		{"London gap moves forward", 2026, 3, 29, 1, 30, london, utc(2026, 3, 29, 1, 30)},
		{"London overlap takes the first", 2026, 10, 25, 1, 30, london, utc(2026, 10, 25, 0, 30)},
		{"just after the New York gap", 2026, 3, 8, 3, 0, ny, utc(2026, 3, 8, 7, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := wallclock.At(tt.y, tt.m, tt.d, tt.h, tt.min, tt.loc); !got.Equal(tt.want) {
				t.Errorf("At = %s, want %s", got, tt.want)
			}
		})
	}
}
