package statestore

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/lettertomyself/ltm/apps/emotion-store/internal/emotion"
)

// recordVersion is bumped when the document's shape changes.
const recordVersion = 1

// recordDoc is a user's document as stored.
type recordDoc struct {
	Version  int                  `json:"v"`
	Letters  map[string]letterDoc `json:"letters,omitempty"`
	Removed  map[string]time.Time `json:"removed,omitempty"`
	PurgedAt *time.Time           `json:"purged_at,omitempty"`
	Jobs     []jobDoc             `json:"jobs,omitempty"`
}

// letterDoc keeps short keys: a record holds up to emotion.MaxResults.
type letterDoc struct {
	Mood       string    `json:"m"`
	Detailed   string    `json:"d,omitempty"`
	WrittenAt  time.Time `json:"w"`
	AnalyzedAt time.Time `json:"a"`
	JobID      string    `json:"j,omitempty"`
}

type jobDoc struct {
	ID         string     `json:"id"`
	Status     string     `json:"status"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	Listed     bool       `json:"listed"`
	Letters    []string   `json:"letters,omitempty"`
	Counted    []string   `json:"counted,omitempty"`
}

func decodeRecord(data []byte) (*emotion.Record, error) {
	if len(data) == 0 {
		return emotion.NewRecord(), nil
	}
	var doc recordDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("state store: record: %w", err)
	}
	if doc.Version != recordVersion {
		return nil, fmt.Errorf("state store: record version %d, this binary reads %d", doc.Version, recordVersion)
	}
	snap := emotion.Snapshot{Removed: doc.Removed}
	for id, l := range doc.Letters {
		res, err := emotion.NewResult(id, l.Mood, l.Detailed, l.WrittenAt, l.AnalyzedAt, l.JobID)
		if err != nil {
			return nil, fmt.Errorf("state store: record: letter %s: %w", id, err)
		}
		snap.Results = append(snap.Results, res)
	}
	if doc.PurgedAt != nil {
		snap.PurgedAt = *doc.PurgedAt
	}
	for _, j := range doc.Jobs {
		js := emotion.JobState{ID: j.ID, Status: emotion.JobStatus(j.Status), StartedAt: j.StartedAt, Listed: j.Listed,
			Letters: j.Letters, Counted: j.Counted}
		if j.FinishedAt != nil {
			js.FinishedAt = *j.FinishedAt
		}
		snap.Jobs = append(snap.Jobs, js)
	}
	return emotion.Restore(snap), nil
}

func encodeRecord(rec *emotion.Record) ([]byte, error) {
	snap := rec.Snapshot()
	doc := recordDoc{Version: recordVersion, Removed: snap.Removed}
	if len(snap.Results) > 0 {
		doc.Letters = make(map[string]letterDoc, len(snap.Results))
	}
	for _, r := range snap.Results {
		doc.Letters[r.LetterID()] = letterDoc{Mood: string(r.Mood()), Detailed: r.Detailed(), WrittenAt: r.WrittenAt(),
			AnalyzedAt: r.AnalyzedAt(), JobID: r.JobID()}
	}
	if !snap.PurgedAt.IsZero() {
		doc.PurgedAt = &snap.PurgedAt
	}
	for _, j := range snap.Jobs {
		jd := jobDoc{ID: j.ID, Status: string(j.Status), StartedAt: j.StartedAt, Listed: j.Listed, Letters: j.Letters, Counted: j.Counted}
		if !j.FinishedAt.IsZero() {
			jd.FinishedAt = &j.FinishedAt
		}
		doc.Jobs = append(doc.Jobs, jd)
	}
	return json.Marshal(doc)
}
