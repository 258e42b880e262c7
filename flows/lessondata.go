package flows

import "time"

// LessonData holds one person's lesson progress. It keeps no answers: the question only as correct or not, and
// never a reflection or practice report (those are sent to the mentor or dropped).
type LessonData struct {
	// Done maps lesson id to the time it was completed.
	Done map[string]time.Time `json:"done,omitempty"`
	// Current is the lesson in progress; Stage and Card say where in it, so it resumes there after days or a
	// restart. Stage is "card", "question", "reflect" or "practice"; Card counts from 0.
	Current string `json:"current,omitempty"`
	Stage   string `json:"stage,omitempty"`
	Card    int    `json:"card,omitempty"`
	// Correct maps lesson id to whether its question was last answered correctly.
	Correct map[string]bool `json:"correct,omitempty"`
	// Practice lists the practices waiting for a report-back ("did you try it?").
	Practice []PracticeDue `json:"practice,omitempty"`
	// Cadence of lesson nudges: "" (twice a week, the default), "weekly" or "off".
	Cadence string `json:"cadence,omitempty"`
	// Last is the last time the person did anything in a lesson; a nudge is not sent soon after.
	Last time.Time `json:"last,omitzero"`
}

// PracticeDue is a lesson's practice whose report-back is pending.
type PracticeDue struct {
	Lesson string `json:"lesson"`
	// Asks counts the report-back prompts scheduled so far ("not yet" asks once more).
	Asks int `json:"asks"`
}
