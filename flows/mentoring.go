package flows

import (
	"crypto/sha256"
	"encoding/base32"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Mentoring data is kept in both people's profiles: each side holds its own copy of a pair and of each session, and
// every change that touches the other side travels as a Task to that side. So one update still reads and writes one
// profile in one round trip, and a change is never half-applied across two users.

// MentoringData holds the person's side of mentoring: matching preferences, pairs, sessions and group sessions.
type MentoringData struct {
	// Site and Unit (prison and unit, free text the person gave) help coordinators match; both optional.
	Site string `json:"site,omitempty"`
	Unit string `json:"unit,omitempty"`
	// OtherUnit: the mentee asked for a mentor from another unit than their own.
	OtherUnit bool `json:"other_unit,omitempty"`
	// Avoid lists first names the mentee asked not to be paired with (their own supervisor, for instance).
	Avoid []string `json:"avoid,omitempty"`
	// AvoidIDs lists profiles never to suggest again to this mentee (an earlier mentor after "not a good fit").
	AvoidIDs []string `json:"avoid_ids,omitempty"`
	// Waiting is when the mentee asked for a mentor; zero when not waiting.
	Waiting time.Time `json:"waiting,omitzero"`
	// Capacity is the most mentees a mentor takes; 0 means the programme's default.
	Capacity int `json:"capacity,omitempty"`
	// PausedUntil: the mentor is away (holidays, sick leave) until then and gets no new mentees or nudges.
	PausedUntil time.Time `json:"paused_until,omitzero"`

	// Pairs: a mentee has at most one, a mentor one per mentee.
	Pairs []Pair `json:"pairs,omitempty"`
	// Sessions are the person's upcoming one-to-one sessions and those whose follow-up questions are still open.
	Sessions []Session `json:"sessions,omitempty"`
	// Log is the session log: what the person answered after each session (newest last, bounded).
	Log []SessionLog `json:"log,omitempty"`
	// Groups are the group sessions the person was invited to.
	Groups []GroupInvite `json:"groups,omitempty"`
	// Hosted are the group sessions a coordinator scheduled.
	Hosted []GroupSession `json:"hosted,omitempty"`
}

// Pair is one side's copy of a mentoring pair.
type Pair struct {
	ID     string `json:"id"`
	Mentee string `json:"mentee"`
	Mentor string `json:"mentor"`
	// OtherName is the other side's first name, for messages.
	OtherName string `json:"other_name,omitempty"`
	// Coordinator paired them and hears about inactivity.
	Coordinator string    `json:"coordinator,omitempty"`
	Since       time.Time `json:"since"`
	// LastSession is the start of the latest session that took place (or was confirmed and has passed).
	LastSession time.Time `json:"last_session,omitzero"`
	// Fit is this side's answer to "does the pairing fit": "", "asked", "good", "bad".
	Fit string `json:"fit,omitempty"`
	// OtherPausedUntil is the mentor's pause, in the mentee's copy.
	OtherPausedUntil time.Time `json:"other_paused_until,omitzero"`
}

// Other returns the other side's profile id for the holder me.
func (p Pair) Other(me string) string {
	if p.Mentee == me {
		return p.Mentor
	}
	return p.Mentee
}

// Session statuses.
const (
	SessionProposed  = "proposed"  // I proposed it; waiting for the other side
	SessionAsked     = "asked"     // the other side proposed it; waiting for me
	SessionConfirmed = "confirmed" // both agreed
	SessionFollowUp  = "followup"  // it has passed; "did it take place?" is open
)

// Session is one side's copy of a one-to-one session.
type Session struct {
	ID       string    `json:"id"`
	Pair     string    `json:"pair"`
	With     string    `json:"with"`
	WithName string    `json:"with_name,omitempty"`
	At       time.Time `json:"at"`
	Status   string    `json:"status"`
	// Reminders are the minutes-before of the reminders this side scheduled, so they can be cancelled.
	Reminders []int `json:"reminders,omitempty"`
}

// SessionLog is what one person answered after a session.
type SessionLog struct {
	ID     string    `json:"id"`
	Pair   string    `json:"pair,omitempty"`
	At     time.Time `json:"at"`
	Held   bool      `json:"held"`
	Rating int       `json:"rating,omitempty"` // 1–5, 0 when not given
	Note   string    `json:"note,omitempty"`   // only when the person chose to write one
	// Mentee marks entries written by the mentee side, so digests count each session once.
	Mentee bool `json:"mentee,omitempty"`
}

// GroupInvite is a member's copy of a group session.
type GroupInvite struct {
	ID    string    `json:"id"`
	Host  string    `json:"host"`
	At    time.Time `json:"at"`
	Topic string    `json:"topic"`
	// Going is "", "yes" or "no".
	Going     string `json:"going,omitempty"`
	Reminders []int  `json:"reminders,omitempty"`
}

// GroupSession is the coordinator's record of a group session.
type GroupSession struct {
	ID       string    `json:"id"`
	At       time.Time `json:"at"`
	Topic    string    `json:"topic"`
	Cohort   string    `json:"cohort"`
	Members  []string  `json:"members,omitempty"`
	Going    []string  `json:"going,omitempty"`
	NotGoing []string  `json:"not_going,omitempty"`
}

// PairByID returns the index of pair id in the holder's pairs, or -1.
func (m *MentoringData) PairByID(id string) int {
	return slices.IndexFunc(m.Pairs, func(p Pair) bool { return p.ID == id })
}

// SessionByID returns the index of session id, or -1.
func (m *MentoringData) SessionByID(id string) int {
	return slices.IndexFunc(m.Sessions, func(s Session) bool { return s.ID == id })
}

// GroupByID returns the index of group invite id, or -1.
func (m *MentoringData) GroupByID(id string) int {
	return slices.IndexFunc(m.Groups, func(g GroupInvite) bool { return g.ID == id })
}

// HostedByID returns the index of hosted group session id, or -1.
func (m *MentoringData) HostedByID(id string) int {
	return slices.IndexFunc(m.Hosted, func(g GroupSession) bool { return g.ID == id })
}

// NudgeSettings holds the user's nudge preferences.
type NudgeSettings struct {
	// SnoozeUntil silences all nudges until then (session reminders the user asked for still come).
	SnoozeUntil time.Time `json:"snooze_until,omitzero"`
	// Reminders are the minutes before a session when a reminder comes. nil means DefaultReminders; an empty,
	// non-nil list means no reminders.
	Reminders []int `json:"reminders,omitzero"`
}

// DefaultReminders are the session reminders a user gets unless they chose others: a day and an hour before.
var DefaultReminders = []int{24 * 60, 60}

// SessionReminders returns the minutes-before of the user's session reminders, largest first.
func (n NudgeSettings) SessionReminders() []int {
	if n.Reminders == nil {
		return DefaultReminders
	}
	out := slices.Clone(n.Reminders)
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

// ShortID derives a short, stable id (sessions, pairs, group sessions) from parts.
func ShortID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h.Sum(nil)[:6]))
}

// ReminderTaskID is the task id of pid's reminder minutes before session (or group session) sid.
func ReminderTaskID(sid, pid string, minutes int) string {
	return "remind:" + sid + ":" + pid + ":" + strconv.Itoa(minutes)
}

// AfterTaskID is the task id of pid's follow-up questions after session sid.
func AfterTaskID(sid, pid string) string { return "after:" + sid + ":" + pid }

// DropSession removes session i from pid's sessions and returns the ids of the tasks scheduled for it, to cancel.
func (m *MentoringData) DropSession(i int, pid string) []string {
	s := m.Sessions[i]
	m.Sessions = slices.Delete(m.Sessions, i, i+1)
	ids := []string{AfterTaskID(s.ID, pid)}
	for _, r := range s.Reminders {
		ids = append(ids, ReminderTaskID(s.ID, pid, r))
	}
	return ids
}

// ActionPairFit is the action (in flows/pairs) behind the "does the pairing fit" buttons that flows/sessions
// shows after a pair's first session: "g:pairfit <pair> good|bad".
const ActionPairFit = "pairfit"
