package flows

import "time"

// CheckinData holds the check-in schedule and, with the keep-scores consent, the encrypted score history. Nothing
// here is a score or an answer in readable form: scores live only inside Sealed.
type CheckinData struct {
	// Sealed is the encrypted score history (flows/seal, owned by the profile id). Empty without the keep-scores
	// consent.
	Sealed string `json:"sealed,omitempty"`
	// Last is the time of the last completed check-in (kept without scores, for the App Home and digests).
	Last time.Time `json:"last,omitzero"`
	// Done maps an instrument id to when it was last completed, so the planner knows what is due.
	Done map[string]time.Time `json:"done,omitempty"`
	// Slot is the weekly check-in time the user chose; nil means the default (Thursday 18:30).
	Slot *CheckinSlot `json:"slot,omitempty"`
	// Paused stops check-in prompts until the user resumes them (/checkin still works).
	Paused bool `json:"paused,omitempty"`
	// Counted maps an instrument id to the period (ISO week or month) already counted in the anonymous totals, so
	// a second check-in in one period is not counted twice.
	Counted map[string]string `json:"counted,omitempty"`
	// Alerts are the ids of the user's recent coordinator alerts, newest last (so /forget can delete them), and
	// AlertAt is when the newest was raised, so a worrying result does not raise a second one while it is open.
	Alerts  []string  `json:"alerts,omitempty"`
	AlertAt time.Time `json:"alert_at,omitzero"`
}

// CheckinSlot is a weekly time in the user's time zone.
type CheckinSlot struct {
	Day    time.Weekday `json:"day"`
	Minute int          `json:"minute"` // after midnight
}
