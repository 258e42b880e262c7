// Package programme puts the programme together: it registers every flow on an engine. cmd/mentorbot and the
// transcript tests use the same function, so what is tested is what runs.
package programme

import (
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/coordinator"
	"github.com/m4pris/mentorbot/flows/core"
	"github.com/m4pris/mentorbot/flows/lessons"
	"github.com/m4pris/mentorbot/flows/onboarding"
	"github.com/m4pris/mentorbot/flows/pairs"
	"github.com/m4pris/mentorbot/flows/privacy"
	"github.com/m4pris/mentorbot/flows/sessions"
)

// Deps are the stores the flows need besides the engine's own.
type Deps struct {
	Directory flows.Directory
	Invites   flows.Invites
	// LessonFeedback keeps anonymous lesson feedback (nil: asked for, not kept).
	LessonFeedback lessons.Feedback
	// Mentors finds a person's mentor for sharing from lessons (nil: the mentee's pair, from flows/pairs).
	Mentors lessons.Mentors
	// MentorCapacity is the default of mentees per mentor (MENTORBOT_MENTOR_CAPACITY); zero means 2.
	MentorCapacity int
}

// Register adds every flow of the programme to e.
func Register(e *flows.Engine, d Deps) {
	e.Register(core.New()...)
	e.Register(onboarding.New(d.Invites)...)
	e.Register(privacy.New()...)
	e.Register(coordinator.NewInvite(d.Invites))
	mentors := d.Mentors
	if mentors == nil {
		mentors = pairs.Mentors{}
	}
	ls := lessons.New(lessons.Deps{Feedback: d.LessonFeedback, Mentors: mentors})
	e.Register(ls.Items()...)
	e.AddPlanner(lessons.NudgeJob, ls.Plan)
	e.Register(pairs.New(e, pairs.Options{Directory: d.Directory, Capacity: d.MentorCapacity})...)
	e.Register(sessions.New(e, sessions.Options{Directory: d.Directory})...)
}
