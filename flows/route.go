package flows

import (
	"fmt"
	"maps"
	"runtime/debug"
	"slices"
	"strings"
)

// run routes the event to the right flow, step, action or job. A panic in a flow is turned into an error here, so
// no panic reaches a user.
func (e *Engine) run(c *Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	e.checkState(c)
	ev := c.Event
	switch {
	case ev.Internal():
		j := e.jobs[ev.Job]
		if j == nil {
			return fmt.Errorf("unknown job %q", ev.Job)
		}
		j.Run(c)
		e.transition(c)
	case ev.Payload != "":
		e.press(c)
	case ev.Command != "":
		e.command(c, ev.Command)
	default:
		e.text(c)
	}
	return nil
}

// press handles a button: a global action ("g:"), or a choice of the open prompt, checked against what the prompt
// offered. Anything else is stale or forged.
func (e *Engine) press(c *Ctx) {
	kind, seq, value, ok := parsePayload(c.Event.Payload)
	if !ok {
		e.stale(c)
		return
	}
	if kind == payloadGlobal {
		cmd, args, _ := strings.Cut(value, " ")
		c.Event.Args = args
		if a, ok := e.actions[cmd]; ok {
			if !c.Profile.Onboarded && !a.BeforeOnboarding {
				e.startOnboarding(c)
				return
			}
			e.runAction(c, a)
			return
		}
		if e.jobs[Job(cmd)] != nil {
			// Jobs act on what others did (an alert, a pairing): only the queue may run them.
			e.stale(c)
			return
		}
		e.command(c, cmd)
		return
	}
	s := c.State
	offered := slices.ContainsFunc(s.Offered, func(o Offer) bool { return o.Value == value })
	if s.Idle() || seq != s.Seq || !offered {
		e.stale(c)
		return
	}
	c.choice, c.hasChoice = value, true
	c.ClosePressed()
	e.answer(c)
}

// stale answers a press of a button that no longer counts, and shows where the conversation is now, as the
// reply promises: the open question asked again, or the menu when nothing is open.
func (e *Engine) stale(c *Ctx) {
	if c.State.Idle() || e.flows[c.State.Flow] == nil {
		c.Say(c.T("core.stale"), c.Menu()...)
		return
	}
	// Show the open question again without changing anything: the same prompt number (so its buttons and the
	// earlier message's both still count), and whatever asking it would change is put back. A stale or forged
	// press must not move the conversation.
	saved := *c.State
	saved.Slots = maps.Clone(c.State.Slots)
	saved.Offered = slices.Clone(c.State.Offered)
	tasks, cancels := len(c.tasks), len(c.cancels)
	c.reshow = true
	e.reask(c, c.T("core.stale"))
	c.reshow = false
	*c.State = saved
	c.tasks, c.cancels = c.tasks[:tasks], c.cancels[:cancels]
}

// command runs a typed command (or a global button naming one): an action beside the conversation, or a flow
// that replaces it. Until onboarding is done only what is marked BeforeOnboarding runs.
func (e *Engine) command(c *Ctx, cmd string) {
	target, ok := e.commands[cmd]
	if !ok {
		if cmd == "cancel" {
			e.cancel(c)
			return
		}
		c.Say(c.T("core.unknown_command", "Command", "/"+cmd))
		return
	}
	kind, name, _ := strings.Cut(target, ":")
	if kind == "action" {
		a := e.actions[name]
		if !c.Profile.Onboarded && !a.BeforeOnboarding {
			e.startOnboarding(c)
			return
		}
		e.runAction(c, a)
		return
	}
	f := e.flows[name]
	if !c.Profile.Onboarded && !f.BeforeOnboarding {
		e.startOnboarding(c)
		return
	}
	if f.Allow != nil && !f.Allow(c.Profile) {
		c.Say(c.T("core.not_allowed"))
		return
	}
	e.start(c, f)
}

func (e *Engine) cancel(c *Ctx) {
	if c.State.Idle() {
		c.Say(c.T("core.nothing_to_cancel"), c.Menu()...)
		return
	}
	c.State.reset()
	c.Say(c.T("core.cancelled"), c.Menu()...)
}

func (e *Engine) runAction(c *Ctx, a *Action) {
	if a.Allow != nil && !a.Allow(c.Profile) {
		c.Say(c.T("core.not_allowed"))
		return
	}
	if a.Reset {
		c.State.reset()
	}
	a.Run(c)
	e.transition(c)
}

func (e *Engine) startOnboarding(c *Ctx) {
	if c.State.Flow == e.onboarding {
		e.reask(c, "")
		return
	}
	if f := e.flows[e.onboarding]; f != nil {
		e.start(c, f)
	}
}

// text handles typed text: the hooks first (the safety path), then the open step; with nothing open, onboarding
// or a pointer to the menu.
func (e *Engine) text(c *Ctx) {
	t := c.Event.Text
	switch {
	case strings.TrimSpace(t) == "":
		c.Say(c.T("core.empty"))
		return
	case textTooLong(t):
		c.Say(c.T("core.too_long", "Max", MaxTextRunes))
		return
	}
	for _, h := range e.hooks {
		if h(c) {
			e.transition(c)
			return
		}
	}
	if c.State.Idle() {
		if !c.Profile.Onboarded {
			e.startOnboarding(c)
			return
		}
		c.Say(c.T("core.idle_text"), c.Menu()...)
		return
	}
	// A typed label of an offered button counts as pressing it.
	typed := strings.TrimSpace(t)
	for _, o := range c.State.Offered {
		if strings.EqualFold(o.Label, typed) {
			c.choice, c.hasChoice = o.Value, true
			break
		}
	}
	e.answer(c)
}
