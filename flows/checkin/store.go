package checkin

import (
	"context"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// Sealer encrypts what the feature keeps about a person (flows/seal implements it). owner binds the value to its
// profile: a sealed value copied into another profile does not open.
type Sealer interface {
	Seal(owner string, plain []byte) (string, error)
	Open(owner, sealed string) ([]byte, error)
}

// Alert kinds: why a coordinator is asked to reach out. The coordinator sees only the kind's sentence, never
// answers, scores or what the person typed.
const (
	KindCheckin = "checkin" // check-ins were worrying and the person said yes to telling a coordinator
	KindAsked   = "asked"   // the person asked to talk to a coordinator
	KindCrisis  = "crisis"  // the person asked for contact from the safety message
)

// Alert is a request to coordinators to reach out to one person. It is kept outside the person's profile because
// coordinators' turns read and acknowledge it; it holds a first name and a role, nothing about health.
type Alert struct {
	ID      string     `json:"id"`
	Subject string     `json:"subject"` // profile id of the person
	Name    string     `json:"name,omitempty"`
	Role    flows.Role `json:"role"`
	Kind    string     `json:"kind"`
	Created time.Time  `json:"created"`
	// Coords is the order in which coordinators are asked, fixed when the alert is raised.
	Coords []string `json:"coords"`
	// Level is the index in Coords of the coordinator asked last.
	Level int `json:"level"`
	// Due is when the escalation from Level is due (the alert sweep re-schedules escalations overdue by then).
	Due time.Time `json:"due,omitzero"`
	// Unanswered is set when every coordinator was asked and nobody took it.
	Unanswered bool `json:"unanswered,omitempty"`
}

// Tally is one group's anonymous totals for one instrument in one period: how many people checked in, and the sum
// of the scores of those who keep their scores (the others are counted, not scored).
type Tally struct {
	People int     `json:"people"`
	Scored int     `json:"scored"`
	Sum    float64 `json:"sum"`
}

// Store keeps what the feature needs outside profiles: alerts and their acknowledgement, and the anonymous totals.
// bot/redis implements it; MemStore is the in-memory one for tests.
type Store interface {
	// PutAlert writes an alert (creating or replacing it) that expires after ttl, and keeps the index of open
	// alerts: listed under its Due while it is open, removed once it is Unanswered.
	PutAlert(ctx context.Context, a Alert, ttl time.Duration) error
	// GetAlert reads an alert; nil when there is none (expired or erased).
	GetAlert(ctx context.Context, id string) (*Alert, error)
	// AckAlert records that coordinator by takes the alert, unless someone already did, and returns who holds it
	// now. Pressing twice, or on two replicas at once, leaves exactly one holder. A taken alert leaves the index
	// of open alerts.
	AckAlert(ctx context.Context, id, by string, ttl time.Duration) (holder string, err error)
	// AlertHolder returns who took the alert ("" if nobody yet).
	AlertHolder(ctx context.Context, id string) (string, error)
	// DeleteAlert removes an alert, its acknowledgement and its place in the index (on /forget).
	DeleteAlert(ctx context.Context, id string) error
	// DueAlerts lists the open alerts (neither taken nor unanswered) whose escalation was due at or before t.
	DueAlerts(ctx context.Context, t time.Time) ([]string, error)
	// AddTally counts one person's check-in in period/instrument/group; score is added only when scored.
	AddTally(ctx context.Context, period, inst, group string, score float64, scored bool) error
	// Tallies returns the totals of every group for period and instrument.
	Tallies(ctx context.Context, period, inst string) (map[string]Tally, error)
}
