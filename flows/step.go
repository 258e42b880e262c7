package flows

import (
	"fmt"
	"time"
)

// checkState drops conversation state that this build cannot continue: an unknown flow or step, an old version.
// A deadline that passed runs the step's timeout first.
func (e *Engine) checkState(c *Ctx) error {
	s := c.State
	if s.Idle() {
		return nil
	}
	f := e.flows[s.Flow]
	if f == nil || f.Version != s.Version || f.Steps[s.Step].Ask == nil {
		e.log.Info("dropped stale conversation", "flow", s.Flow, "version", s.Version)
		s.reset()
		if !c.Event.Internal() && c.Event.Command == "" {
			c.Say(c.T("core.updated"))
		}
		return nil
	}
	if s.Deadline.IsZero() || c.Now.Before(s.Deadline) {
		return nil
	}
	step := f.Steps[s.Step]
	s.Deadline = time.Time{}
	if step.Timeout == nil {
		return nil
	}
	if err := step.Timeout(c); err != nil {
		return err
	}
	return e.transition(c)
}

// start replaces the conversation with flow f: its Start, then its first step (unless Start moved elsewhere).
func (e *Engine) start(c *Ctx, f *Flow) error {
	c.State.reset()
	c.State.Flow, c.State.Version, c.State.Step = f.Name, f.Version, f.First
	c.next = gotoStep
	c.nextStep = f.First
	if f.Start != nil {
		if err := f.Start(c); err != nil {
			return err
		}
	}
	return e.transition(c)
}

// answer gives the open step the user's answer: a choice to Choose (anything else is asked again), any answer to
// Answer.
func (e *Engine) answer(c *Ctx) error {
	f := e.flows[c.State.Flow]
	step := f.Steps[c.State.Step]
	var err error
	switch {
	case step.Choose != nil:
		v, ok := c.Choice()
		if !ok {
			return e.reask(c, c.T("core.use_buttons"))
		}
		err = step.Choose(c, v)
	case step.Answer != nil:
		err = step.Answer(c)
	default:
		return e.reask(c, "")
	}
	if err != nil {
		return err
	}
	return e.transition(c)
}

// reask says why (when reason is set) and asks the open step's question again.
func (e *Engine) reask(c *Ctx, reason string) error {
	if reason != "" {
		c.Say(reason)
	}
	f := e.flows[c.State.Flow]
	if f == nil {
		return nil
	}
	c.next = stay
	if err := f.Steps[c.State.Step].Ask(c); err != nil {
		return err
	}
	return e.transition(c)
}

// transition applies what the handler asked for. Asking a step may itself move on (a step that has nothing to
// ask), so this loops, bounded to catch a flow that moves in a circle.
func (e *Engine) transition(c *Ctx) error {
	for range 16 {
		next := c.next
		c.next = stay
		switch next {
		case stay:
			return nil
		case done:
			c.State.reset()
			return nil
		case reask:
			return e.reask(c, c.reason)
		case startFlow:
			f := e.flows[c.nextFlow]
			if f == nil {
				panic("flows: unknown flow " + c.nextFlow)
			}
			return e.start(c, f)
		case gotoStep:
			f := e.flows[c.State.Flow]
			step, ok := f.Steps[c.nextStep]
			if !ok || step.Ask == nil {
				panic(fmt.Sprintf("flows: flow %s has no step %q", f.Name, c.nextStep))
			}
			c.State.Step = c.nextStep
			c.State.Deadline = time.Time{}
			if err := step.Ask(c); err != nil {
				return err
			}
		}
	}
	panic("flows: step transitions do not settle in flow " + c.State.Flow)
}
