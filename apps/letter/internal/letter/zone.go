package letter

import (
	"time"
	// Distroless images carry no zoneinfo; embedding it keeps every IANA
	// zone a writer may pick loadable.
	_ "time/tzdata"
)

// DefaultTimezone is the zone of a writer without a profile.
const DefaultTimezone = "Asia/Seoul"

// LoadZone returns the named IANA zone, or fallback when name is empty or
// unknown (a profile can only hold valid zones, but the tz database of the
// two services may differ for a while).
func LoadZone(name, fallback string) *time.Location {
	if name != "" {
		if loc, err := time.LoadLocation(name); err == nil && name != "Local" {
			return loc
		}
	}
	if loc, err := time.LoadLocation(fallback); err == nil {
		return loc
	}
	return time.UTC
}

// Today is the writer's calendar date at now in loc.
func Today(now time.Time, loc *time.Location) Date { return DateOf(now.In(loc)) }
