package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Result is what one update produced for the user who sent it.
type Result struct {
	limited bool
	Replies []Reply
	// Profile is the user's profile after the update (nil after /forget or for a dropped task).
	Profile *Profile
	// Duplicate is true when the event had been handled before; nothing was changed.
	Duplicate bool
	// Outbound is the durable record of Replies (see Outbound): set for an event with an id whose replies were
	// saved with it, and for a duplicate whose replies were still pending and are now this process's to send.
	// Nil: Replies are not kept (no event id, an adapter that does not acknowledge, or nothing to send).
	Outbound *Outbound
	// counts are what the flow counted (Ctx.Count), reported once the update is saved.
	counts []Count
}

// maxAttempts bounds the retries after an optimistic-version conflict.
const maxAttempts = 4

// Handle processes one event and returns the replies for its sender. An error means the update was not handled
// (the store is unreachable): the Result then holds a "try again" reply and the platform should redeliver.
func (e *Engine) Handle(ctx context.Context, ev Event) (Result, error) {
	pid := ev.Profile
	if pid == "" {
		pid = ProfileID(ev.From)
	}
	start := time.Now()
	unlock := e.locks.Lock(pid)
	defer unlock()
	var (
		res Result
		err error
	)
	for range maxAttempts {
		res, err = e.handleOnce(ctx, pid, ev)
		if !errors.Is(err, ErrConflict) {
			break
		}
	}
	if errors.Is(err, ErrConflict) {
		res, err = e.sorry(ev, "core.unavailable"), fmt.Errorf("handle: %w after %d attempts", err, maxAttempts)
	}
	if err != nil {
		e.log.Warn("update not handled", "user", e.UserRef(pid), "err", err)
	}
	if e.observe != nil {
		outcome := "ok"
		switch {
		case err != nil:
			outcome = "error"
		case res.Duplicate:
			outcome = "duplicate"
		case res.limited:
			outcome = "limited"
		}
		e.observe(Observation{Platform: ev.From.Platform, Job: ev.Job, Outcome: outcome, Duration: time.Since(start)})
		if err == nil {
			for _, c := range res.counts {
				e.count(ev, c.Name, c.Kind)
			}
		}
	}
	return res, err
}

// handleOnce is one attempt at an update: load, run the flow, save state and effects. Nothing the flow asked
// for (tasks, erasure) happens unless the save succeeds.
func (e *Engine) handleOnce(ctx context.Context, pid string, ev Event) (res Result, err error) {
	snap, err := e.store.Load(ctx, pid, ev.ID)
	if err != nil {
		return e.sorry(ev, "core.unavailable"), fmt.Errorf("load: %w", err)
	}
	if snap.LinkedTo != "" && snap.LinkedTo != pid {
		// The identity was merged into another profile: continue there (serialised by that profile's lock).
		unlock := e.locks.Lock(snap.LinkedTo)
		defer unlock()
		pid = snap.LinkedTo
		if snap, err = e.store.Load(ctx, pid, ev.ID); err != nil {
			return e.sorry(ev, "core.unavailable"), fmt.Errorf("load linked: %w", err)
		}
	}
	if snap.Seen {
		return e.duplicate(ctx, pid, ev, snap)
	}
	now := e.clock.Now()
	p := snap.Profile
	if p == nil {
		if ev.Internal() {
			return Result{}, nil // the user is gone (erased): the task has nobody to reach
		}
		p = &Profile{ID: pid, Identities: []Identity{ev.From}, Name: firstName(ev.Name), Lang: LangFromHint(ev.LangHint), Created: now}
	}
	if !ev.Internal() {
		p.Seen = now
		if e.admins[ev.From] {
			p.AddRole(Coordinator)
		}
		// Writing again from a platform means the user can be reached there again.
		p.Unreachable = slices.DeleteFunc(p.Unreachable, func(x Platform) bool { return x == ev.From.Platform })
		if !slices.Contains(p.Identities, ev.From) {
			p.Identities = append(p.Identities, ev.From)
		}
	}
	c := &Ctx{ctx: ctx, Now: now, Event: ev, Profile: p, State: &snap.State, eng: e}
	flow, step := snap.State.Flow, snap.State.Step
	limited := !ev.Internal() && e.overRate(p, now)
	if limited {
		// Counted in the profile, so the limit holds across replicas without another round trip. The update is
		// still marked handled, so a redelivery does not count twice.
		if p.Rate.Count == e.rate+1 {
			c.Say(c.T("core.slow_down"))
		}
	} else if err := e.run(c); err != nil {
		// Nothing the flow did is kept: no save, no tasks. The person hears "try again".
		if errors.Is(err, errDropped) || errors.Is(err, ErrBadTask) {
			// A bug, a job nobody handles or a task we cannot read: delivering it again would fail again. Not
			// marked handled either, so a task planned again under the same id (with arguments this build
			// reads) still runs.
			e.log.Error("update dropped", "user", e.UserRef(pid), "flow", flow, "step", step, "job", ev.Job, "err", err)
			return e.sorry(ev, "core.internal"), nil
		}
		// A store or lookup failed: the platform redelivers (webhook 5xx, poller retry) or the queue retries.
		return e.sorry(ev, "core.unavailable"), fmt.Errorf("flow %q step %q job %q: %w", flow, step, ev.Job, err)
	}
	if c.erase {
		return e.erase(c)
	}
	snap.Profile = p
	out := e.outbound(pid, ev, p, c.replies, now)
	if err := e.store.Save(ctx, pid, snap, ev.ID, out); err != nil {
		if errors.Is(err, ErrConflict) {
			return Result{}, err
		}
		return e.sorry(ev, "core.unavailable"), fmt.Errorf("save: %w", err)
	}
	e.enqueue(ctx, c.tasks)
	e.cancelTasks(ctx, c.cancels)
	return Result{Replies: c.replies, Profile: p, limited: limited, counts: c.counts, Outbound: out}, nil
}

// erase ends an update that asked for the user's erasure (/forget): every feature's eraser, then the user's own
// keys, then the tasks the erasers cancelled and scheduled (telling a partner).
func (e *Engine) erase(c *Ctx) (Result, error) {
	for _, f := range e.erasers {
		if err := f(c); err != nil {
			return e.sorry(c.Event, "core.unavailable"), fmt.Errorf("erase: %w", err)
		}
	}
	if err := e.store.Erase(c.ctx, c.Profile.ID); err != nil {
		return e.sorry(c.Event, "core.unavailable"), fmt.Errorf("erase: %w", err)
	}
	e.cancelTasks(c.ctx, c.cancels)
	e.enqueue(c.ctx, c.tasks)
	return Result{Replies: c.replies, counts: c.counts}, nil
}

// overRate counts the update in the user's current minute and reports whether it is over the limit.
func (e *Engine) overRate(p *Profile, now time.Time) bool {
	minute := now.Unix() / 60
	if p.Rate.Minute != minute {
		p.Rate = RateWindow{Minute: minute}
	}
	p.Rate.Count++
	return p.Rate.Count > e.rate
}
