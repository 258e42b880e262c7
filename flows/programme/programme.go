// Package programme puts the programme together: it registers every flow on an engine. cmd/mentorbot and the
// transcript tests use the same function, so what is tested is what runs.
package programme

import (
	"time"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/checkin"
	"github.com/m4pris/mentorbot/flows/coordinator"
	"github.com/m4pris/mentorbot/flows/core"
	"github.com/m4pris/mentorbot/flows/lessons"
	"github.com/m4pris/mentorbot/flows/link"
	"github.com/m4pris/mentorbot/flows/onboarding"
	"github.com/m4pris/mentorbot/flows/pairs"
	"github.com/m4pris/mentorbot/flows/privacy"
	"github.com/m4pris/mentorbot/flows/safety"
	"github.com/m4pris/mentorbot/flows/sessions"
)

// Deps are the stores the flows need besides the engine's own.
type Deps struct {
	Directory flows.Directory
	Invites   flows.Invites
	// LessonFeedback keeps anonymous lesson feedback (nil: asked for, not kept).
	LessonFeedback lessons.Feedback
	// Mentors finds a person's mentor, for sharing from lessons and for "ask my mentor" on check-ins and the
	// safety path (nil: nobody has one yet).
	Mentors lessons.Mentors
	// Links keeps /link codes and merges profiles; nil leaves /link out.
	Links link.Store

	// Check-ins and the safety path.
	// Checkins keeps alerts and anonymous totals (bot/redis.Store); nil keeps them in memory (tests only).
	Checkins checkin.Store
	// Sealer encrypts check-in scores (flows/seal, key from MENTORBOT_DATA_KEY); nil: scores are never kept.
	Sealer checkin.Sealer
	// Helplines shown on the safety path and in lessons (MENTORBOT_HELPLINE_DK, _RO); empty fields use the defaults.
	Helplines safety.Helplines
	// AlertEscalate (MENTORBOT_ALERT_ESCALATE): how long an alert waits before the next coordinator; 0 = 2 h.
	AlertEscalate time.Duration
	// Retention of kept scores; 0 = 12 months.
	Retention time.Duration
	// MentorCapacity is the default of mentees per mentor (MENTORBOT_MENTOR_CAPACITY); zero means 2.
	MentorCapacity int
}

// Features lists every feature of the programme, built on d.
func Features(d Deps) []flows.Feature {
	if d.Mentors == nil {
		// A mentee's mentor is found from their pair (flows/pairs).
		d.Mentors = pairs.Mentors{}
	}
	ck := checkin.New(checkin.Deps{
		Directory: d.Directory, Store: d.Checkins, Sealer: d.Sealer, Helplines: d.Helplines,
		Mentors: d.Mentors, Escalate: d.AlertEscalate, Retention: d.Retention,
	})
	fs := []flows.Feature{
		core.Feature(),
		onboarding.Feature(d.Invites),
		privacy.Feature(ck.Export),
		coordinator.Feature(d.Invites),
		lessons.New(lessons.Deps{Feedback: d.LessonFeedback, Mentors: d.Mentors, Helplines: d.Helplines}).Feature(),
		pairs.Feature(pairs.Options{Directory: d.Directory, Capacity: d.MentorCapacity}),
		sessions.Feature(sessions.Options{Directory: d.Directory}),
		ck.Feature(),
		// The safety hook sees free text before any step; its order among the features does not matter while it
		// is the only hook.
		safety.New(content.MustLexicon(), d.Helplines, d.Mentors).Feature(),
	}
	if d.Links != nil {
		fs = append(fs, link.Feature(d.Links))
	}
	return fs
}

// Register adds every feature of the programme to e (Features, for callers that have nothing to add).
func Register(e *flows.Engine, d Deps) { e.Add(Features(d)...) }
