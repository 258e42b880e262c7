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
	// Helplines shown on the safety path (MENTORBOT_HELPLINE_DK, _RO); empty fields use the defaults.
	Helplines safety.Helplines
	// AlertEscalate (MENTORBOT_ALERT_ESCALATE): how long an alert waits before the next coordinator; 0 = 2 h.
	AlertEscalate time.Duration
	// Retention of kept scores; 0 = 12 months.
	Retention time.Duration
	// MentorCapacity is the default of mentees per mentor (MENTORBOT_MENTOR_CAPACITY); zero means 2.
	MentorCapacity int
}

// Register adds every flow of the programme to e.
func Register(e *flows.Engine, d Deps) {
	if d.Mentors == nil {
		// A mentee's mentor is found from their pair (flows/pairs).
		d.Mentors = pairs.Mentors{}
	}
	ck := checkin.New(checkin.Deps{
		Directory: d.Directory, Store: d.Checkins, Sealer: d.Sealer, Helplines: d.Helplines,
		Mentors: d.Mentors, Escalate: d.AlertEscalate, Retention: d.Retention,
	})
	e.Register(core.New()...)
	e.Register(onboarding.New(d.Invites)...)
	e.Register(privacy.New(ck.Export)...)
	e.Register(coordinator.NewInvite(d.Invites))
	ls := lessons.New(lessons.Deps{Feedback: d.LessonFeedback, Mentors: d.Mentors})
	e.Register(ls.Items()...)
	e.AddPlanner(lessons.NudgeJob, ls.Plan)
	e.Register(pairs.New(e, pairs.Options{Directory: d.Directory, Capacity: d.MentorCapacity})...)
	e.Register(sessions.New(e, sessions.Options{Directory: d.Directory})...)
	if d.Links != nil {
		e.Register(link.New(d.Links)...)
		e.AddEraser(link.Eraser(d.Links))
	}
	ck.Register(e)
	safety.New(content.MustDetector(), d.Helplines, d.Mentors).Register(e)
}
