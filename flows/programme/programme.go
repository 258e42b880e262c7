// Package programme puts the programme together: it registers every flow on an engine. cmd/mentorbot and the
// transcript tests use the same function, so what is tested is what runs.
package programme

import (
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/coordinator"
	"github.com/m4pris/mentorbot/flows/core"
	"github.com/m4pris/mentorbot/flows/lessons"
	"github.com/m4pris/mentorbot/flows/link"
	"github.com/m4pris/mentorbot/flows/onboarding"
	"github.com/m4pris/mentorbot/flows/privacy"
)

// Deps are the stores the flows need besides the engine's own.
type Deps struct {
	Directory flows.Directory
	Invites   flows.Invites
	// LessonFeedback keeps anonymous lesson feedback (nil: asked for, not kept).
	LessonFeedback lessons.Feedback
	// Mentors finds a person's mentor for sharing from lessons (nil: nobody has one yet).
	Mentors lessons.Mentors
	// Links keeps /link codes and merges profiles; nil leaves /link out.
	Links link.Store
}

// Register adds every flow of the programme to e.
func Register(e *flows.Engine, d Deps) {
	e.Register(core.New()...)
	e.Register(onboarding.New(d.Invites)...)
	e.Register(privacy.New()...)
	e.Register(coordinator.NewInvite(d.Invites))
	ls := lessons.New(lessons.Deps{Feedback: d.LessonFeedback, Mentors: d.Mentors})
	e.Register(ls.Items()...)
	e.AddPlanner(lessons.NudgeJob, ls.Plan)
	if d.Links != nil {
		e.Register(link.New(d.Links)...)
		e.AddEraser(link.Eraser(d.Links))
	}
}
