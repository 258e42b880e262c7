package flows

import (
	"fmt"
	"time"
)

// checkState drops conversation state that this build cannot continue: an unknown flow or step, an old version.
// A deadline that passed runs the step's timeout first.
func (e *Engine) checkState(c *Ctx) {
	s := c.State
	if s.Idle() {
		return
	}
	f := e.flows[s.Flow]
	if f == nil || f.Version != s.Version || f.Steps[s.Step].Ask == nil {
		e.log.Info("dropped stale conversation", "flow", s.Flow, "version", s.Version)
		s.reset()
		if !c.Event.Internal() && c.Event.Command == "" {
			c.Say(c.T("core.updated"))
		}
		return
	}
	if !s.Deadline.IsZero() && !c.Now.Before(s.Deadline) {
		step := f.Steps[s.Step]
		s.Deadline = time.Time{}
		if step.Timeout != nil {
			step.Timeout(c)
			e.transition(c)
		}
	}
}

// start replaces the conversation with flow f: its Start, then its first step (unless Start moved elsewhere).
func (e *Engine) start(c *Ctx, f *Flow) {
	c.State.reset()
	c.State.Flow, c.State.Version, c.State.Step = f.Name, f.Version, f.First
	c.next = gotoStep
	c.nextStep = f.First
	if f.Start != nil {
		f.Start(c)
	}
	e.transition(c)
}

// answer gives the open step the user's answer.
func (e *Engine) answer(c *Ctx) {
	f := e.flows[c.State.Flow]
	step := f.Steps[c.State.Step]
	if step.Answer == nil {
		e.reask(c, "")
		return
	}
	step.Answer(c)
	e.transition(c)
}

// reask says why (when reason is set) and asks the open step's question again.
func (e *Engine) reask(c *Ctx, reason string) {
	if reason != "" {
		c.Say(reason)
	}
	f := e.flows[c.State.Flow]
	if f == nil {
		return
	}
	c.next = stay
	f.Steps[c.State.Step].Ask(c)
	e.transition(c)
}

// transition applies what the handler asked for. Asking a step may itself move on (a step that has nothing to
// ask), so this loops, bounded to catch a flow that moves in a circle.
func (e *Engine) transition(c *Ctx) {
	for range 16 {
		next := c.next
		c.next = stay
		switch next {
		case stay:
			return
		case done:
			c.State.reset()
			return
		case reask:
			e.reask(c, c.reason)
			return
		case startFlow:
			f := e.flows[c.nextFlow]
			if f == nil {
				panic("flows: unknown flow " + c.nextFlow)
			}
			e.start(c, f)
			return
		case gotoStep:
			f := e.flows[c.State.Flow]
			step, ok := f.Steps[c.nextStep]
			if !ok || step.Ask == nil {
				panic(fmt.Sprintf("flows: flow %s has no step %q", f.Name, c.nextStep))
			}
			c.State.Step = c.nextStep
			c.State.Deadline = time.Time{}
			step.Ask(c)
		}
	}
	panic("flows: step transitions do not settle in flow " + c.State.Flow)
}
