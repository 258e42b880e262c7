package flows

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// Role is what a person does in the programme. One person may hold several roles.
type Role string

// Roles.
const (
	Guest       Role = "guest"       // no invite: public lessons only
	Mentee      Role = "mentee"      // an officer who is mentored
	Mentor      Role = "mentor"      // an officer who mentors
	Coordinator Role = "coordinator" // union-side staff who run the programme
)

// ValidRole reports whether r is one of the invitable roles.
func ValidRole(r Role) bool { return r == Mentee || r == Mentor || r == Coordinator }

// Languages the bot speaks.
var Languages = []string{"en", "da", "ro"}

// Consent is one granular, separately given consent.
type Consent struct {
	Given bool      `json:"given"`
	At    time.Time `json:"at,omitzero"`
}

// Consents are the user's separate choices about sensitive data.
type Consents struct {
	// KeepScores: keep my check-in scores (encrypted) to show my trend.
	KeepScores Consent `json:"keep_scores"`
	// AlertCoordinator: let a coordinator know when my check-ins are worrying (asked again each time).
	AlertCoordinator Consent `json:"alert_coordinator"`
}

// Window is a daily time window in the user's time zone, in minutes after midnight. From > To wraps past midnight
// (22:00–07:00). From == To means no window.
type Window struct {
	From int `json:"from"`
	To   int `json:"to"`
}

// Contains reports whether minute-of-day m lies in the window.
func (w Window) Contains(m int) bool {
	switch {
	case w.From == w.To:
		return false
	case w.From < w.To:
		return m >= w.From && m < w.To
	default:
		return m >= w.From || m < w.To
	}
}

// Profile is everything the bot keeps about one person. It is stored as one document per user so that one update
// reads and writes it in a single round trip; health data inside it is encrypted by the store.
type Profile struct {
	ID         string     `json:"id"`
	Identities []Identity `json:"identities"`
	Name       string     `json:"name,omitempty"` // first name the user chose to give, for greetings and pairing
	Lang       string     `json:"lang"`
	Roles      []Role     `json:"roles,omitempty"`
	Consents   Consents   `json:"consents"`
	TZ         string     `json:"tz,omitempty"`
	Quiet      Window     `json:"quiet"`
	DaysOff    []int      `json:"days_off,omitempty"` // time.Weekday values
	Onboarded  bool       `json:"onboarded"`
	Created    time.Time  `json:"created"`
	Seen       time.Time  `json:"seen,omitzero"`
	// Unreachable marks platforms where the user blocked the bot; nudges are not tried there.
	Unreachable []Platform `json:"unreachable,omitempty"`
	// InviteFails counts wrong invite codes; see InviteMaxFails.
	InviteFails int       `json:"invite_fails,omitempty"`
	InviteLock  time.Time `json:"invite_lock,omitzero"`
	// Rate counts this minute's updates, for the per-user inbound limit.
	Rate RateWindow `json:"rate,omitzero"`

	Checkins  CheckinData   `json:"checkins,omitzero"`
	Lessons   LessonData    `json:"lessons,omitzero"`
	Mentoring MentoringData `json:"mentoring,omitzero"`
	Nudges    NudgeSettings `json:"nudges,omitzero"`
}

// Has reports whether the profile holds role r.
func (p *Profile) Has(r Role) bool { return slices.Contains(p.Roles, r) }

// Member reports whether the person joined with an invite (any role other than guest).
func (p *Profile) Member() bool {
	return p.Has(Mentee) || p.Has(Mentor) || p.Has(Coordinator)
}

// AddRole adds r once; joining as a member drops the guest role.
func (p *Profile) AddRole(r Role) {
	if !p.Has(r) {
		p.Roles = append(p.Roles, r)
	}
	if r != Guest {
		p.Roles = slices.DeleteFunc(p.Roles, func(x Role) bool { return x == Guest })
	}
	slices.Sort(p.Roles)
}

// Location returns the user's time zone, falling back to the language's usual zone and then UTC.
func (p *Profile) Location() *time.Location {
	for _, name := range []string{p.TZ, DefaultTZ(p.Lang)} {
		if name == "" {
			continue
		}
		if loc, err := loadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

// locations caches time zones by name: time.LoadLocation reads the zone file on every call, and planners ask for
// every user's zone many times per run (NextAllowed walks minutes).
var locations sync.Map // name → *time.Location

func loadLocation(name string) (*time.Location, error) {
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locations.Store(name, loc)
	return loc, nil
}

// DefaultTZ is the usual time zone for a language's users.
func DefaultTZ(lang string) string {
	switch lang {
	case "da":
		return "Europe/Copenhagen"
	case "ro":
		return "Europe/Bucharest"
	}
	return "Europe/Copenhagen"
}

// Quiet reports whether t falls in the user's quiet hours or on a day off, in their time zone.
func (p *Profile) QuietAt(t time.Time) bool {
	lt := t.In(p.Location())
	if slices.Contains(p.DaysOff, int(lt.Weekday())) {
		return true
	}
	return p.Quiet.Contains(lt.Hour()*60 + lt.Minute())
}

// Reachable reports whether the bot may still send to identity i.
func (p *Profile) Reachable(i Identity) bool { return !slices.Contains(p.Unreachable, i.Platform) }

// firstName keeps only the first word of a platform display name, at most 32 characters: enough to greet and to
// name someone in an alert, no more.
func firstName(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	r := []rune(f[0])
	if len(r) > 32 {
		r = r[:32]
	}
	return string(r)
}

// RateWindow is a fixed one-minute window of inbound updates.
type RateWindow struct {
	Minute int64 `json:"minute"`
	Count  int   `json:"count"`
}
