package flows

import "time"

// The per-feature parts of a Profile. Each feature owns its struct (and may move it to a file of its own); they live
// in this package because the Profile is one document.

// CheckinData (check-in schedule and sealed scores) lives in checkin_data.go.

// LessonData (lesson progress) lives in lessondata.go.

// MentoringData holds the person's side of mentoring pairs.
type MentoringData struct {
	// PairID is the current pair, if any.
	PairID string `json:"pair_id,omitempty"`
}

// NudgeSettings holds the user's nudge preferences.
type NudgeSettings struct {
	// SnoozeUntil silences all nudges until then.
	SnoozeUntil time.Time `json:"snooze_until,omitzero"`
}
