package flows

import (
	"fmt"
	"slices"
	"sort"
)

// Feature is one part of the programme as the engine sees it: the conversations, commands, jobs and hooks that
// belong together. Each flow package builds its Feature; flows/programme lists them and Engine.Add registers them.
type Feature struct {
	// Name identifies the feature in panics about clashing registrations.
	Name string
	// Flows are conversations started by their commands or by other flows (Ctx.StartFlow).
	Flows []*Flow
	// Actions run beside the conversation: typed commands and the buttons of menus and notices.
	Actions []*Action
	// Jobs handle the tasks the delivery queue brings (only the queue reaches them).
	Jobs []JobHandler
	// Planners propose each user's upcoming tasks for the periodic planner.
	Planners []Planner
	// Erasers remove what the feature keeps outside the user's own keys on /forget.
	Erasers []Eraser
	// TextHooks look at free text before the current step does (the safety path).
	TextHooks []TextHook
}

// TextHook looks at free text before the current step does (the safety path). It returns true when it handled the
// text completely.
type TextHook func(c *Ctx) bool

// Eraser removes what a feature stored about c.Profile outside the user's own keys (pair records, alerts) on
// /forget. It may schedule and unschedule tasks (telling a partner); they are applied after the erasure.
type Eraser func(c *Ctx) error

// Add registers features. Registration happens once at start-up, before the first update: a clash (two flows of
// one name, a command or job claimed twice, a flow without its first step) is a programming error and panics.
func (e *Engine) Add(features ...Feature) {
	for _, f := range features {
		if e.features[f.Name] {
			panic("flows: feature " + f.Name + " added twice")
		}
		e.features[f.Name] = true
		for _, fl := range f.Flows {
			e.addFlow(f.Name, fl)
		}
		for _, a := range f.Actions {
			e.addAction(f.Name, a)
		}
		for i := range f.Jobs {
			j := &f.Jobs[i]
			if j.Job == "" || j.Run == nil {
				panic(fmt.Sprintf("flows: feature %s: a job handler without job or Run", f.Name))
			}
			if e.jobs[j.Job] != nil {
				panic(fmt.Sprintf("flows: feature %s: job %s handled twice", f.Name, j.Job))
			}
			e.jobs[j.Job] = j
		}
		e.planners = append(e.planners, f.Planners...)
		e.erasers = append(e.erasers, f.Erasers...)
		e.hooks = append(e.hooks, f.TextHooks...)
	}
}

func (e *Engine) addFlow(feature string, fl *Flow) {
	if e.flows[fl.Name] != nil {
		panic(fmt.Sprintf("flows: feature %s: flow %s registered twice", feature, fl.Name))
	}
	if first, ok := fl.Steps[fl.First]; !ok || first.Ask == nil {
		panic(fmt.Sprintf("flows: feature %s: flow %s has no first step %q", feature, fl.Name, fl.First))
	}
	e.flows[fl.Name] = fl
	for _, cmd := range fl.Commands {
		e.addCommand(cmd, "flow:"+fl.Name)
	}
}

func (e *Engine) addAction(feature string, a *Action) {
	if e.actions[a.Name] != nil {
		panic(fmt.Sprintf("flows: feature %s: action %s registered twice", feature, a.Name))
	}
	e.actions[a.Name] = a
	for _, cmd := range a.Commands {
		e.addCommand(cmd, "action:"+a.Name)
	}
}

func (e *Engine) addCommand(cmd, target string) {
	if old, ok := e.commands[cmd]; ok && old != target {
		panic("flows: command /" + cmd + " registered twice")
	}
	e.commands[cmd] = target
}

// Commands lists the registered commands a user can type, sorted.
func (e *Engine) Commands() []string {
	out := make([]string, 0, len(e.commands))
	for c := range e.commands {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// HasJob reports whether a feature handles job. cmd/mentorbot checks the jobs its periodic schedules send before it
// serves, so a misspelt job fails the start rather than every tick.
func (e *Engine) HasJob(job Job) bool { return e.jobs[job] != nil }

// Jobs lists the jobs the registered features handle, sorted (for error messages).
func (e *Engine) Jobs() []Job {
	out := make([]Job, 0, len(e.jobs))
	for j := range e.jobs {
		out = append(out, j)
	}
	slices.Sort(out)
	return out
}

// Jobs the engine handles itself.
const (
	// JobDeadline is the job a deadline sweeper sends: the engine runs the step's timeout before any job, so the
	// job itself has nothing left to do.
	JobDeadline Job = "core.deadline"
	// jobUnreachable marks a platform unreachable for the user (the platform said they blocked the bot).
	jobUnreachable Job = "core.unreachable"
)

// builtin is the engine's own feature: resuming an interrupted question, and the jobs above.
func builtin() Feature {
	return Feature{
		Name: "engine",
		Actions: []*Action{{
			Name: "resume", BeforeOnboarding: true,
			Run: func(c *Ctx) {
				if c.State.Idle() {
					c.Say(c.T("core.idle_text"), c.Menu()...)
					return
				}
				c.next = reask
			},
		}},
		Jobs: []JobHandler{
			{Job: JobDeadline, Run: func(*Ctx) {}},
			{Job: jobUnreachable, Run: func(c *Ctx) {
				p := Platform(c.Event.Args)
				if !slices.Contains(c.Profile.Unreachable, p) {
					c.Profile.Unreachable = append(c.Profile.Unreachable, p)
				}
			}},
		},
	}
}
