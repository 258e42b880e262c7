// Package lessons delivers the programme's micro-lessons: /lessons lists the modules a person may read with their
// progress, walks one lesson card by card through a scenario, a question, a reflection and a practice, collects
// anonymous feedback, brings the practice back a few days later and nudges towards the next lesson.
package lessons

import (
	"context"
	"time"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/safety"
)

// Names of the flows.
const (
	FlowName     = "lessons"
	PracticeFlow = "lessonpractice"
	// Version of the lesson flows' steps and slots.
	Version = 1
)

// Jobs this package handles.
const (
	// NudgeJob is the job of the lesson nudges (planned by the feature's planner).
	NudgeJob flows.Job = "lessons.nudge"
	// PracticeJob asks "did you try it?" a few days after a lesson.
	PracticeJob flows.Job = "lessons.practice"
	// SharedJob shows a mentor what their mentee chose to share.
	SharedJob flows.Job = "lessons.shared"
)

// Feedback keeps anonymous lesson feedback for the programme's refinement: counts and comments per lesson, never
// who gave them. bot/redis implements it.
type Feedback interface {
	// Completed counts one completion of lesson.
	Completed(ctx context.Context, lesson string) error
	// Rated counts one rating (1–5) of lesson.
	Rated(ctx context.Context, lesson string, rating int) error
	// Commented keeps one comment on lesson.
	Commented(ctx context.Context, lesson, comment string) error
	// Stats returns the counts and comments of the given lessons (lessons without any are left out).
	Stats(ctx context.Context, lessons []string) (map[string]Stats, error)
}

// Stats is what is known about one lesson's use.
type Stats struct {
	Completions int
	// Ratings[i] counts the ratings of i+1.
	Ratings  [5]int
	Comments []string
}

// Mentors finds a person's mentor. The pairs feature implements it; programme wires it.
type Mentors interface {
	// MentorOf returns the profile id of p's current mentor; ok is false when p has none.
	MentorOf(ctx context.Context, p *flows.Profile) (pid string, ok bool)
}

// Deps are what the lesson flows need.
type Deps struct {
	// Library holds the lessons. Nil: the embedded lessons.
	Library *content.Library
	// Feedback stores lesson feedback. Nil: feedback is asked for but not kept, and /lessonreport says so.
	Feedback Feedback
	// Mentors finds a person's mentor. Nil: nobody has a mentor yet, so nothing can be shared.
	Mentors Mentors
	// PracticeAfter is how long after a lesson its practice comes back. Zero: 3 days.
	PracticeAfter time.Duration
	// Helplines fill the lessons' {helpline} placeholder, the same lines the safety path shows
	// (MENTORBOT_HELPLINE_DK, _RO). Empty fields: the defaults.
	Helplines safety.Helplines
}

// Lessons is the lesson feature: its flows, actions and nudge planner.
type Lessons struct {
	lib           *content.Library
	fb            Feedback
	mentors       Mentors
	practiceAfter time.Duration
	helplines     safety.Helplines
}

// New builds the lesson feature.
func New(d Deps) *Lessons {
	l := &Lessons{lib: d.Library, fb: d.Feedback, mentors: d.Mentors, practiceAfter: d.PracticeAfter, helplines: d.Helplines.WithDefaults()}
	if l.lib == nil {
		l.lib = content.MustDefaultLibrary()
	}
	if l.practiceAfter <= 0 {
		l.practiceAfter = 3 * 24 * time.Hour
	}
	return l
}

// Feature is the lesson flows, their actions and jobs, and the nudge planner.
func (l *Lessons) Feature() flows.Feature {
	lessons := &flows.Flow{
		Name: FlowName, Version: Version, First: "modules", Commands: []string{"lessons"},
		Menu: "menu.lessons", MenuOrder: 20,
		Start: l.start,
		Steps: map[string]flows.Step{
			"modules":  {Ask: l.askModules, Answer: l.answerModules},
			"module":   {Ask: l.askModule, Answer: l.answerModule},
			"cadence":  {Ask: l.askCadence, Answer: l.answerCadence},
			"card":     {Ask: l.askCard, Answer: l.answerCard},
			"question": {Ask: l.askQuestion, Answer: l.answerQuestion},
			"reflect":  {Ask: l.askReflect, Answer: l.answerReflect},
			"share":    {Ask: l.askShare, Answer: l.answerShare},
			"practice": {Ask: l.askPractice, Answer: l.answerPractice},
			"rate":     {Ask: l.askRate, Answer: l.answerRate},
			"comment":  {Ask: l.askComment, Answer: l.answerComment},
		},
	}
	practice := &flows.Flow{
		Name: PracticeFlow, Version: Version, First: "how",
		Start: l.startPractice,
		Steps: map[string]flows.Step{
			"how":   {Ask: l.askHow, Answer: l.answerHow},
			"share": {Ask: l.askShare, Answer: l.answerShare},
		},
	}
	return flows.Feature{
		Name:  "lessons",
		Flows: []*flows.Flow{lessons, practice},
		Actions: []*flows.Action{
			{Name: "lpractice", Run: l.practiceChoice},
			{
				Name: "lessonreport", Commands: []string{"lessonreport"},
				Allow: func(p *flows.Profile) bool { return p.Has(flows.Coordinator) },
				Menu:  "menu.lessonreport", MenuOrder: 70,
				Run: l.report,
			},
		},
		Jobs: []flows.JobHandler{
			{Job: PracticeJob, Run: l.practicePrompt, Nudge: true},
			{Job: NudgeJob, Run: l.nudge, Nudge: true},
			{Job: SharedJob, Run: l.shared},
		},
		Planners: []flows.Planner{l.Plan},
	}
}

// roles are the profile's roles as the content's audiences know them.
func roles(p *flows.Profile) []string {
	out := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		out[i] = string(r)
	}
	return out
}

// readable reports whether p may read lesson (it exists and its module is open to p).
func (l *Lessons) readable(p *flows.Profile, lesson *content.Lesson) bool {
	if lesson == nil {
		return false
	}
	m := l.lib.Module(lesson.Module)
	return m != nil && m.Audience.Admits(roles(p)...)
}

// current returns the lesson in progress, if p may still read it.
func (l *Lessons) current(p *flows.Profile) *content.Lesson {
	cur := l.lib.Lesson(p.Lessons.Current)
	if !l.readable(p, cur) {
		return nil
	}
	return cur
}

// next suggests the lesson to read next: the first unread lesson of the module of the last lesson read, or else of
// the first module that has one. Nil when everything open to p is read.
func (l *Lessons) next(p *flows.Profile, after string) *content.Lesson {
	mods := l.lib.ModulesFor(roles(p)...)
	if a := l.lib.Lesson(after); a != nil {
		for i, m := range mods {
			if m.ID == a.Module {
				mods = append([]*content.Module{m}, append(mods[:i:i], mods[i+1:]...)...)
				break
			}
		}
	}
	for _, m := range mods {
		for _, ls := range l.lib.LessonsOf(m.ID) {
			if _, done := p.Lessons.Done[ls.ID]; !done && ls.ID != after {
				return ls
			}
		}
	}
	return nil
}

// progress counts the read lessons of a module.
func (l *Lessons) progress(p *flows.Profile, module string) (done, total int) {
	for _, ls := range l.lib.LessonsOf(module) {
		total++
		if _, ok := p.Lessons.Done[ls.ID]; ok {
			done++
		}
	}
	return done, total
}
