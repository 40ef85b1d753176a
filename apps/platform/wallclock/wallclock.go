// Package wallclock is local wall-clock time, the same in every service:
// calendar dates, times of day (HH:MM) and weekdays as they travel between
// services, and the one way a wall time becomes an instant. time.Date leaves the choice open for times that do
// not exist or exist twice, and in practice is inconsistent (2026-03-08
// 02:30 in America/New_York comes back as 01:30 EST, an hour before the
// gap, while 2026-03-29 01:30 in Europe/London comes back as 02:30 BST;
// on 2026-10-25 London's 01:30 comes back as the second one). Here:
//
//   - in a spring-forward gap the time is read with the offset in force
//     before the gap (RFC 5545 §3.3.5), which moves it forward by the gap's
//     length: 02:30 on a New York spring-forward day is 03:30 EDT;
//   - in a fall-back overlap the earlier of the two instants is used.
package wallclock

import "time"

// At is the instant (UTC) of the wall time year-month-day hour:minute in
// loc: in a gap, read with the offset before the gap; in an overlap, the
// earlier instant.
func At(year int, month time.Month, day, hour, minute int, loc *time.Location) time.Time {
	wall := time.Date(year, month, day, hour, minute, 0, 0, time.UTC)
	t := time.Date(year, month, day, hour, minute, 0, 0, loc)
	start, end := t.ZoneBounds()

	// The instants that show this wall time can only use the offset of
	// t's zone period or of a neighbouring one.
	offsets := []int{offset(t)}
	if !start.IsZero() {
		offsets = append(offsets, offset(start.Add(-time.Second)))
	}
	if !end.IsZero() {
		offsets = append(offsets, offset(end))
	}
	var best time.Time
	for _, off := range offsets {
		u := wall.Add(-time.Duration(off) * time.Second)
		if sameWall(u.In(loc), wall) && (best.IsZero() || u.Before(best)) {
			best = u
		}
	}
	if !best.IsZero() {
		return best.UTC()
	}
	// A gap: the wall time was skipped. The transition is the end of t's
	// period when t fell before the gap, else its start.
	transition := start
	if wallOf(t).Before(wall) {
		transition = end
	}
	before := offset(transition.Add(-time.Second))
	return wall.Add(-time.Duration(before) * time.Second).UTC()
}

func offset(t time.Time) int {
	_, off := t.Zone()
	return off
}

func wallOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

func sameWall(t, wall time.Time) bool { return wallOf(t).Equal(wall) }
