package flows

// Flow is a named conversation: steps that ask, wait, check and re-ask with a reason. Starting a flow replaces
// whatever conversation the user was in.
type Flow struct {
	Name string
	// Version changes when steps or slots change incompatibly; stored state of another version is dropped.
	Version int
	// First is the step entered when the flow starts.
	First string
	// Commands start the flow ("settings" for /settings).
	Commands []string
	// BeforeOnboarding lets the flow run for someone who has not finished onboarding.
	BeforeOnboarding bool
	// Allow says who may start the flow; nil lets everyone. Others are told it is not for them.
	Allow func(p *Profile) bool
	// Start, if set, runs before the first step: it may read c.Event.Args into slots, refuse with c.Done, or pick
	// another first step with c.Goto.
	Start func(c *Ctx)
	Steps map[string]Step
	// Menu, if set, is the UI string id of the flow's entry in /menu, shown to those Allow lets in.
	Menu      string
	MenuOrder int
}

// Step is one question of a flow.
type Step struct {
	// Ask sends the question. It runs when the step is entered and when it is asked again.
	Ask func(c *Ctx)
	// Answer handles the user's answer: text (c.Text) or choice (c.Choice). It moves on with c.Goto or c.Done,
	// or asks again with c.Reask; doing nothing keeps the step.
	Answer func(c *Ctx)
	// Timeout, if set, runs when the step's deadline (c.Deadline) passes before an answer.
	Timeout func(c *Ctx)
}

// Action is a command that runs beside the current conversation without replacing it: /help, /privacy, the
// buttons of menus and notices ("g:" payloads).
type Action struct {
	Name string
	// Commands also run the action when typed (/help). Empty: reachable only from buttons and jobs.
	Commands []string
	// BeforeOnboarding lets the action run for someone who has not finished onboarding.
	BeforeOnboarding bool
	// Allow says who may run the action; nil lets everyone.
	Allow func(p *Profile) bool
	// Reset ends the current conversation before running (/menu).
	Reset bool
	Run   func(c *Ctx)
	// Menu, if set, is the UI string id of the action's entry in /menu.
	Menu      string
	MenuOrder int
}
