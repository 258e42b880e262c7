package flows

import "slices"

const jobUnreachable = "core.unreachable"

func builtinActions() []any {
	return append(builtins,
		&Action{
			Name: "resume", BeforeOnboarding: true,
			Run: func(c *Ctx) {
				if c.State.Idle() {
					c.Say(c.T("core.idle_text"), c.Menu()...)
					return
				}
				c.next = reask
			},
		},
		&Action{
			Name: "unreachable", Job: jobUnreachable,
			Run: func(c *Ctx) {
				p := Platform(c.Event.Args)
				if !slices.Contains(c.Profile.Unreachable, p) {
					c.Profile.Unreachable = append(c.Profile.Unreachable, p)
				}
			},
		},
	)
}

// ResumeButton is the button that asks the pending question again after an interruption (/help, /privacy).
func ResumeButton(c *Ctx) []Button {
	if c.State.Idle() {
		return nil
	}
	return []Button{ActionButton(c.T("core.resume"), "resume")}
}

// JobDeadline is the job a deadline sweeper sends: the engine runs the step's timeout before any job, so the job
// itself has nothing left to do.
const JobDeadline = "core.deadline"

func init() {
	builtins = append(builtins, &Action{Name: "deadline", Job: JobDeadline, BeforeOnboarding: true, Run: func(*Ctx) {}})
}

var builtins []any
