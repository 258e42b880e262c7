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
	Start func(c *Ctx) error
	Steps map[string]Step
	// Menu, if set, is the UI string id of the flow's entry in /menu, shown to those Allow lets in.
	Menu      string
	MenuOrder int
}

// Step is one question of a flow. Its functions return an error when something they need failed (a store, a
// lookup): the engine then drops everything the update did, tells the person to try again and has the update
// redelivered (see docs/architecture.md). A wrong answer is not an error: it is c.Reask.
type Step struct {
	// Ask sends the question. It runs when the step is entered and when it is asked again.
	Ask func(c *Ctx) error
	// Choose handles the answer of a step that offers buttons: it gets the value of the pressed button, or of the
	// button whose label the person typed. Anything else is asked again with the standard reason ("please use
	// the buttons") before Choose sees it. It moves on with c.Goto or c.Done, like Answer. Set Choose or Answer.
	Choose func(c *Ctx, choice string) error
	// Answer handles any answer: text (c.Text) or choice (c.Choice), for a step that also takes typed input. It
	// moves on with c.Goto or c.Done, or asks again with c.Reask; doing nothing keeps the step.
	Answer func(c *Ctx) error
	// Timeout, if set, runs when the step's deadline (c.Deadline) passes before an answer.
	Timeout func(c *Ctx) error
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
	// Run does the action; an error means the same as a step's (see Step).
	Run func(c *Ctx) error
	// Menu, if set, is the UI string id of the action's entry in /menu.
	Menu      string
	MenuOrder int
}
