package flows

import "time"

// The per-feature parts of a Profile. Each feature owns its struct (and may move it to a file of its own); they live
// in this package because the Profile is one document.

// CheckinData holds the check-in schedule and, with consent, the encrypted score history.
type CheckinData struct {
	// Sealed is the encrypted score history (see Sealer). Empty without the keep-scores consent.
	Sealed string `json:"sealed,omitempty"`
	// Last is the time of the last completed check-in (kept without scores, for the App Home and digests).
	Last time.Time `json:"last,omitzero"`
}

// LessonData (lesson progress) lives in lessondata.go.

// MentoringData and NudgeSettings live in mentoring.go.
