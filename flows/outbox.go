package flows

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Durable replies. The replies of a handled event are saved with its state and its duplicate mark, in the same
// atomic write (Store.Save), as an Outbound; the adapter sends them and acknowledges each part the platform took;
// what is still pending is sent again when the platform redelivers the event (Engine.Handle claims it for the
// duplicate), by the sweeper (Engine.Sweep: pending replies whose sender died or gave up), and after a partial
// failure (the adapter releases what it could not send, so the sweeper takes it). A crash can repeat at most the
// one part in flight in each chat, never lose one: an adapter sends a chat's next part only once the part before
// it is acknowledged (Progress blocks until the store has it).
//
// An adapter uses it like this (Telegram does; Slack follows the same steps):
//
//	res, err := eng.Handle(ctx, ev)    // res.Outbound is set when there are durable replies: a new event's, or a
//	                                   // redelivered one's still pending (then res.Duplicate is true too)
//	o := res.Outbound                  // parts already sent: o.Sent (the adapter's unit, e.g. one message)
//	for each part i >= o.Sent of o.Replies:
//	    send it; then o.Progress(ctx, i+1)   // durable when it returns (acks are batched); stop on error
//	o.Done(ctx)                        // every part sent, or undeliverable (the user blocked the bot)
//	o.Release(ctx)                     // instead of Done, when sending failed for now: the sweeper retries later
//
// Replies sent outside a platform request (tasks, the sweeper) go through the platform's Sender; one that also
// implements OutboundSender resumes at o.Sent and reports progress; a plain Sender gets all replies and the
// engine acknowledges them together.

// Outbound is one event's replies on their way to the user, kept by the store until the platform took them.
type Outbound struct {
	// Profile and Event identify the pending replies (the user's profile id and the event's id).
	Profile string `json:"-"`
	Event   string `json:"-"`
	// To is where the replies go: the identity that sent the event, or for a task the identity chosen when it
	// was saved. Job is the task's job (empty for a platform update), so a resend is routed like the first send.
	To  Identity `json:"to"`
	Job Job      `json:"job,omitempty"`
	// Replies are all the event's replies; Sent counts the parts the platform already accepted, in the adapter's
	// unit (Telegram: messages, a long text being several).
	Replies []Reply `json:"replies"`
	Sent    int     `json:"-"`
	// Saved is when the event was handled.
	Saved time.Time `json:"saved"`

	acks Outbox
}

// Outbox keeps the pending replies of handled events. Store implementations provide it; Store.Save writes a new
// Outbound atomically with the state.
type Outbox interface {
	// Ack records that the first sent parts of the event's replies reached the platform; done removes them
	// (all sent, or undeliverable). It returns once the record is durable; implementations batch concurrent
	// acknowledgements into one round trip.
	Ack(ctx context.Context, pid, eventID string, sent int, done bool) error
	// Release gives the event's pending replies up for someone else to send (the sender could not, for now).
	Release(ctx context.Context, pid, eventID string) error
	// Claim takes the pending replies of an event for this process to send, if they are still pending and nobody
	// alive is sending them (nil otherwise).
	Claim(ctx context.Context, pid, eventID string) (*Outbound, error)
	// Stale claims up to limit pending replies saved more than age ago whose sender died or released them.
	Stale(ctx context.Context, age time.Duration, limit int) ([]*Outbound, error)
}

// OutboundSender is a Sender that sends durable replies part by part: from o.Sent on, calling o.Progress after
// each part the platform accepted, and o.Done (or o.Release on a failure it gives up on) at the end.
type OutboundSender interface {
	SendOutbound(ctx context.Context, to Identity, o *Outbound) error
}

// ErrNoOutbox is returned by the methods of an Outbound that is not tied to a store.
var ErrNoOutbox = errors.New("outbound not tied to a store")

// Bind ties o to the outbox that keeps it (stores call it for the Outbounds they return).
func (o *Outbound) Bind(b Outbox) *Outbound {
	o.acks = b
	return o
}

// Progress records that the first sent parts reached the platform. It blocks until that is durable, so a caller
// that sends the next part only afterwards can repeat at most one part after a crash.
func (o *Outbound) Progress(ctx context.Context, sent int) error {
	if o.acks == nil {
		return ErrNoOutbox
	}
	if err := o.acks.Ack(ctx, o.Profile, o.Event, sent, false); err != nil {
		return fmt.Errorf("outbound progress: %w", err)
	}
	o.Sent = sent
	return nil
}

// Done removes the pending replies: every part was sent, or none can ever be (the user blocked the bot).
func (o *Outbound) Done(ctx context.Context) error {
	if o.acks == nil {
		return ErrNoOutbox
	}
	if err := o.acks.Ack(ctx, o.Profile, o.Event, o.Sent, true); err != nil {
		return fmt.Errorf("outbound done: %w", err)
	}
	return nil
}

// Release hands the pending replies back: sending failed for now, and the sweeper (or a redelivery) should try
// again from o.Sent.
func (o *Outbound) Release(ctx context.Context) error {
	if o.acks == nil {
		return ErrNoOutbox
	}
	if err := o.acks.Release(ctx, o.Profile, o.Event); err != nil {
		return fmt.Errorf("outbound release: %w", err)
	}
	return nil
}

// Remaining are the replies not yet completely sent when a part is one reply (the unit of adapters without a
// finer one).
func (o *Outbound) Remaining() []Reply {
	if o.Sent >= len(o.Replies) {
		return nil
	}
	return o.Replies[o.Sent:]
}

// SweepAge is how old pending replies must be before the sweeper takes them (and their sender must have died or
// released them). Acknowledgements are batched for tens of milliseconds, far below it.
const SweepAge = 5 * time.Second

// MaxPendingAge is how long replies are tried: older ones (the platform down for a day) are dropped by the
// sweeper, because "your session starts in an hour" a day late is wrong, not late.
const MaxPendingAge = 24 * time.Hour

// Sweep sends pending replies whose sender died or gave up (Outbox.Stale), at most limit of them, and returns how
// many it sent completely. Run it in one replica at a time (under a lease): claims already keep two replicas from
// sending the same replies, the lease keeps them from scanning twice.
func (e *Engine) Sweep(ctx context.Context, limit int) (int, error) {
	list, err := e.store.Stale(ctx, SweepAge, limit)
	if err != nil {
		return 0, fmt.Errorf("sweep: %w", err)
	}
	sent := 0
	for _, o := range list {
		o.Bind(e.store)
		if !o.Saved.IsZero() && e.clock.Now().Sub(o.Saved) > MaxPendingAge {
			e.log.Error("pending replies dropped: not sent within a day", "user", e.UserRef(o.Profile), "saved", o.Saved)
			if err := o.Done(ctx); err != nil {
				e.log.Error("drop pending replies", "err", err)
			}
			continue
		}
		if err := e.resend(ctx, o); err != nil {
			e.log.Warn("pending replies not sent; released for later", "user", e.UserRef(o.Profile), "err", err)
			if rerr := o.Release(ctx); rerr != nil {
				e.log.Error("release pending replies", "err", rerr)
			}
			continue
		}
		sent++
	}
	return sent, nil
}

// resend sends o's remaining replies to o.To and removes them. An unreachable user's replies are dropped (and the
// platform marked unreachable): they can never be delivered there.
func (e *Engine) resend(ctx context.Context, o *Outbound) error {
	if o.Job != "" {
		ctx = WithTask(ctx, Task{ID: o.Event, Profile: o.Profile, Job: o.Job})
	}
	s := e.senders[o.To.Platform]
	if s == nil {
		// A task's replies saved without a platform to go to (none was reachable, or a previous build saved
		// them): the platforms where the user is reachable now, as for a task.
		snap, err := e.store.Load(ctx, o.Profile, "")
		if err != nil {
			return err
		}
		if snap.Profile == nil {
			return o.Done(ctx) // erased meanwhile
		}
		_, err = e.deliver(ctx, snap.Profile, o)
		return err
	}
	err := e.sendOutbound(ctx, s, o.To, o)
	if errors.Is(err, ErrUnreachable) {
		e.markUnreachable(ctx, o.Profile, o.To.Platform)
		return o.Done(ctx)
	}
	return err
}

// sendOutbound sends o through s: part by part when s can, otherwise all remaining replies at once, then
// acknowledged together.
func (e *Engine) sendOutbound(ctx context.Context, s Sender, to Identity, o *Outbound) error {
	if os, ok := s.(OutboundSender); ok {
		return os.SendOutbound(ctx, to, o)
	}
	if err := s.Send(ctx, to, o.Remaining()); err != nil {
		return err
	}
	o.Sent = len(o.Replies)
	return o.Done(ctx)
}

// markUnreachable records that the user blocked the bot on platform p.
func (e *Engine) markUnreachable(ctx context.Context, pid string, p Platform) {
	mark := NewTask("", pid, jobUnreachable, unreachableArgs{p})
	if _, err := e.Handle(ctx, Event{Profile: pid, Job: jobUnreachable, Task: &mark}); err != nil {
		e.log.Error("mark unreachable", "err", err)
	}
}

// outbound is the durable record of an event's replies, or nil when they are not kept: an event without an id
// (nothing to find them by), nothing to say, or a platform update whose adapter does not acknowledge what it sent
// (it would be sent again by the sweeper). A task's replies go to the platform the user was last reachable on.
func (e *Engine) outbound(pid string, ev Event, p *Profile, replies []Reply, now time.Time) *Outbound {
	if ev.ID == "" || len(replies) == 0 {
		return nil
	}
	o := &Outbound{Profile: pid, Event: ev.ID, Job: ev.Job, Replies: replies, Saved: now}
	if ev.Internal() {
		for i := len(p.Identities) - 1; i >= 0; i-- {
			if id := p.Identities[i]; e.senders[id.Platform] != nil && p.Reachable(id) {
				o.To = id
				break
			}
		}
	} else {
		if _, ok := e.senders[ev.From.Platform].(OutboundSender); !ok {
			return nil
		}
		o.To = ev.From
	}
	return o.Bind(e.store)
}

// duplicate answers an event handled before: nothing changes, and its replies, if still pending and nobody alive
// is sending them (the process that handled it died before they went out), are this process's to send.
func (e *Engine) duplicate(ctx context.Context, pid string, ev Event, snap Snapshot) (Result, error) {
	res := Result{Duplicate: true, Profile: snap.Profile}
	o, err := e.store.Claim(ctx, pid, ev.ID)
	if err != nil {
		// The event is handled; only its pending replies could not be looked at. The sweeper sends them.
		e.log.Warn("pending replies of a redelivered event not claimed", "user", e.UserRef(pid), "err", err)
		return res, nil
	}
	if o != nil {
		res.Outbound, res.Replies = o.Bind(e.store), o.Replies
	}
	return res, nil
}
