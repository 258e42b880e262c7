// Package checkin is the wellbeing check-in: the weekly pulse and the monthly CBI on the person's schedule, the
// result in plain words with a trend, scores kept encrypted only with consent, coordinator alerts that are asked
// for again at the time and escalate when nobody takes them, and anonymous totals for coordinators (k ≥ 5).
package checkin

import (
	"fmt"
	"time"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/safety"
	"github.com/m4pris/mentorbot/flows/seal"
)

// Jobs this package handles. bot/nudge's cron enqueues JobPurge (and the planner plans it too); the others come
// from this package's own tasks.
const (
	JobPrompt   flows.Job = "checkin.prompt" // offer the due check-in (planned by Plan)
	JobPurge    flows.Job = "checkin.purge"  // drop kept results older than the retention period, re-seal with the current key
	JobMentor   flows.Job = "checkin.mentor" // to a mentor: their mentee would like to talk
	JobRaise    flows.Job = "alert.raise"    // to the coordinators (flows.ToCoordinators): someone may need support
	JobAcked    flows.Job = "alert.acked"    // to the person: a coordinator took it
	JobEscalate flows.Job = "alert.escalate" // to the person: nobody took it in time → the next coordinator
)

const (
	flowName = "checkin" // the check-in conversation
	alertTTL = 30 * 24 * time.Hour
)

// Defaults.
const (
	// DefaultEscalate is how long an alert waits for a coordinator before the next one is asked.
	DefaultEscalate = 2 * time.Hour
	// DefaultRetention is how long kept results are kept.
	DefaultRetention = 365 * 24 * time.Hour
)

// Deps are what the feature needs.
type Deps struct {
	Directory flows.Directory
	// Store keeps alerts and the anonymous totals. Nil: an in-memory store (tests).
	Store Store
	// Sealer encrypts kept results. Nil: no data key is configured, so scores are shown and never kept.
	Sealer Sealer
	// Instruments; nil loads the embedded ones.
	Instruments *content.Instruments
	Helplines   safety.Helplines
	// Mentors finds a person's mentor; nil until the mentoring feature provides it (no "ask my mentor" then).
	Mentors safety.Mentors
	// Group names the group a person is counted in for the totals; nil uses the country (DK, RO, other).
	Group func(p *flows.Profile) string
	// Escalate is the time an alert waits for a coordinator (MENTORBOT_ALERT_ESCALATE); zero means DefaultEscalate.
	Escalate time.Duration
	// Retention is how long kept results live; zero means DefaultRetention.
	Retention time.Duration
}

// Module is the check-in feature wired to its dependencies.
type Module struct {
	d Deps
	// ans seals the answers of an open check-in: the data key, or without one a key that lives as long as the
	// process (an unfinished check-in is then lost on restart, which is better than answers in the clear).
	ans Sealer
}

// New builds the feature.
func New(d Deps) *Module {
	if d.Store == nil {
		d.Store = NewMemStore()
	}
	if d.Instruments == nil {
		d.Instruments = content.MustInstruments()
	}
	if d.Group == nil {
		d.Group = countryGroup
	}
	if d.Escalate <= 0 {
		d.Escalate = DefaultEscalate
	}
	if d.Retention <= 0 {
		d.Retention = DefaultRetention
	}
	d.Helplines = d.Helplines.WithDefaults()
	m := &Module{d: d, ans: d.Sealer}
	if m.ans == nil {
		m.ans = seal.NewRandom()
	}
	return m
}

// Feature is the check-in flow, its actions and jobs, the planner and the eraser.
func (m *Module) Feature() flows.Feature {
	return flows.Feature{
		Name:     "checkin",
		Flows:    []*flows.Flow{m.flow()},
		Actions:  append(append(m.promptActions(), m.alertActions()...), m.reportAction()),
		Jobs:     append(m.promptJobs(), m.alertJobs()...),
		Planners: []flows.Planner{m.Plan},
		Erasers:  []flows.Eraser{m.erase},
	}
}

func countryGroup(p *flows.Profile) string {
	if c := safety.Country(p); c != "" {
		return c
	}
	return "other"
}

func isMember(p *flows.Profile) bool { return p.Member() }

func isCoordinator(p *flows.Profile) bool { return p.Has(flows.Coordinator) }

// instrumentsFor lists the instruments the person is in the audience of.
func (m *Module) instrumentsFor(p *flows.Profile) []*content.Instrument {
	roles := roleNames(p)
	var out []*content.Instrument
	for _, in := range m.d.Instruments.List {
		if content.ForRoles(in.Audience, roles) {
			out = append(out, in)
		}
	}
	return out
}

// erase removes the person's alerts on /forget (the totals are anonymous and stay).
func (m *Module) erase(c *flows.Ctx) error {
	for _, id := range c.Profile.Checkins.Alerts {
		if err := m.d.Store.DeleteAlert(c.Context(), id); err != nil {
			return fmt.Errorf("erase alert: %w", err)
		}
	}
	return nil
}
