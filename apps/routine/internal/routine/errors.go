// Package routine is routine-service's domain: writing routines (weekly or
// monthly at a wall-clock time), special dates, and the calendar of their
// occurrences. It knows nothing of HTTP, SQL or Dapr.
package routine

import "errors"

// ErrNotFound means the item does not exist or belongs to someone else;
// callers cannot tell the two apart.
var ErrNotFound = errors.New("not found")
