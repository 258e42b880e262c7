package flows_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
)

// partSender is an OutboundSender that sends one reply a part, acknowledging each, and fails (releasing the rest)
// after failAfter parts when failAfter > 0.
type partSender struct {
	texts     []string
	failAfter int
	err       error // returned instead of sending anything
}

func (s *partSender) Send(context.Context, flows.Identity, []flows.Reply) error {
	return errors.New("the engine must use SendOutbound")
}

func (s *partSender) SendOutbound(ctx context.Context, _ flows.Identity, o *flows.Outbound) error {
	if s.err != nil {
		if !errors.Is(s.err, flows.ErrUnreachable) {
			_ = o.Release(ctx)
		}
		return s.err
	}
	for i := o.Sent; i < len(o.Replies); i++ {
		if s.failAfter > 0 && len(s.texts) == s.failAfter {
			_ = o.Release(ctx)
			return errors.New("platform down")
		}
		s.texts = append(s.texts, o.Replies[i].Text)
		if err := o.Progress(ctx, i+1); err != nil {
			return err
		}
	}
	return o.Done(ctx)
}

// sayThree says three things.
func sayThree(c *flows.Ctx) error {
	c.Say("one")
	c.Say("two")
	c.Say("three")
	return nil
}

// threeReplies says three things to every /three, and as the job t.three.
var threeReplies = flows.Feature{Name: "three",
	Actions: []*flows.Action{{Name: "three", Commands: []string{"three"}, Run: sayThree}},
	Jobs:    []flows.JobHandler{{Job: "t.three", Run: sayThree}},
}

func threeEvent(id string) flows.Event {
	ev := flows.TextEvent(flowtest.Identity("u"), "/three")
	ev.ID = id
	return ev
}

// TestRepliesKeptUntilDone: an update's replies are saved with it when its platform's adapter acknowledges what
// it sends, and stay pending until done; an adapter that does not acknowledge gets them unkept, as before.
func TestRepliesKeptUntilDone(t *testing.T) {
	store := flowtest.NewMemStore()
	onboarded(t, store, "u")
	e := newEngine(t, store, flowtest.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)), threeReplies)
	ctx := context.Background()

	e.SetSender(flows.Console, &recordSender{})
	res, err := e.Handle(ctx, threeEvent("tg:1"))
	if err != nil || res.Outbound != nil || len(res.Replies) != 3 || store.PendingReplies() != 0 {
		t.Fatalf("an adapter that does not acknowledge: outbound %+v, %d replies, %d pending, %v", res.Outbound, len(res.Replies), store.PendingReplies(), err)
	}

	e.SetSender(flows.Console, &partSender{})
	res, err = e.Handle(ctx, threeEvent("tg:2"))
	if err != nil || res.Outbound == nil || res.Outbound.To != flowtest.Identity("u") || len(res.Outbound.Replies) != 3 {
		t.Fatalf("outbound %+v, %v", res.Outbound, err)
	}
	if store.PendingReplies() != 1 {
		t.Fatalf("%d events pending, want 1", store.PendingReplies())
	}
	if err := res.Outbound.Progress(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// A redelivery while this process still sends them takes nothing.
	if dup, _ := e.Handle(ctx, threeEvent("tg:2")); !dup.Duplicate || dup.Outbound != nil || len(dup.Replies) != 0 {
		t.Fatalf("redelivery during the send: %+v", dup)
	}
	if err := res.Outbound.Done(ctx); err != nil {
		t.Fatal(err)
	}
	if store.PendingReplies() != 0 {
		t.Fatal("done replies still pending")
	}
	// Events without an id (the local chat) keep nothing.
	if res, _ := e.Handle(ctx, threeEvent("")); res.Outbound != nil {
		t.Fatal("replies of an event without an id were kept")
	}
}

// TestRedeliveryResendsWhatTheDeadSenderOwed: the process that handled an update died after sending the first
// reply (acknowledged); the platform redelivers the update; the replies not acknowledged go out, the first not
// again.
func TestRedeliveryResendsWhatTheDeadSenderOwed(t *testing.T) {
	store := flowtest.NewMemStore()
	onboarded(t, store, "u")
	e := newEngine(t, store, flowtest.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)), threeReplies)
	e.SetSender(flows.Console, &partSender{})
	ctx := context.Background()
	res, err := e.Handle(ctx, threeEvent("tg:1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Outbound.Progress(ctx, 1); err != nil {
		t.Fatal(err)
	}
	store.Abandon() // the process dies

	dup, err := e.Handle(ctx, threeEvent("tg:1"))
	if err != nil || !dup.Duplicate || dup.Outbound == nil || dup.Outbound.Sent != 1 {
		t.Fatalf("redelivery after the sender died: %+v %v", dup, err)
	}
	if got := dup.Outbound.Remaining(); len(got) != 2 || got[0].Text != "two" {
		t.Fatalf("remaining %+v, want two and three", got)
	}
	// Claimed: a third delivery, or the sweeper, does not send them as well.
	if again, _ := e.Handle(ctx, threeEvent("tg:1")); again.Outbound != nil {
		t.Fatal("claimed twice")
	}
	if n, _ := e.Sweep(ctx, 10); n != 0 {
		t.Fatalf("the sweeper sent %d claimed events", n)
	}
}

// TestSweepSendsWhatNobodySends: replies released after a failure, or abandoned by a dead process, are sent by the
// sweeper from the first part not acknowledged; an unreachable user's are dropped and the platform marked.
func TestSweepSendsWhatNobodySends(t *testing.T) {
	store := flowtest.NewMemStore()
	onboarded(t, store, "u")
	onboarded(t, store, "v")
	e := newEngine(t, store, flowtest.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)), threeReplies)
	ctx := context.Background()

	// A partial failure: the adapter sent "one", then the platform failed; it released the rest.
	failing := &partSender{failAfter: 1}
	e.SetSender(flows.Console, failing)
	res, err := e.Handle(ctx, threeEvent("tg:1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := failing.SendOutbound(ctx, res.Outbound.To, res.Outbound); err == nil {
		t.Fatal("the failing sender did not fail")
	}
	s := &partSender{}
	e.SetSender(flows.Console, s)
	n, err := e.Sweep(ctx, 10)
	if err != nil || n != 1 || !slices.Equal(s.texts, []string{"two", "three"}) {
		t.Fatalf("sweep after a partial failure: %d sent, %q, %v", n, s.texts, err)
	}
	if store.PendingReplies() != 0 {
		t.Fatal("swept replies still pending")
	}

	// The user blocked the bot: the sweep drops the replies and marks the platform unreachable.
	ev := flows.TextEvent(flowtest.Identity("v"), "/three")
	ev.ID = "tg:2"
	if _, err := e.Handle(ctx, ev); err != nil {
		t.Fatal(err)
	}
	store.Abandon()
	e.SetSender(flows.Console, &partSender{err: flows.ErrUnreachable})
	if n, err := e.Sweep(ctx, 10); err != nil || n != 1 {
		t.Fatalf("sweep to an unreachable user: %d, %v", n, err)
	}
	snap, _ := store.Load(ctx, flows.ProfileID(flowtest.Identity("v")), "")
	if store.PendingReplies() != 0 || snap.Profile.Reachable(flowtest.Identity("v")) {
		t.Fatalf("unreachable: %d pending, reachable %v", store.PendingReplies(), snap.Profile.Reachable(flowtest.Identity("v")))
	}
}

// TestTaskRepliesResumeAfterFailure: a task whose send failed half-way is retried by the queue; the retry sends only
// what was not acknowledged.
func TestTaskRepliesResumeAfterFailure(t *testing.T) {
	store := flowtest.NewMemStore()
	onboarded(t, store, "u")
	e := newEngine(t, store, flowtest.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)), threeReplies)
	ctx := context.Background()
	failing := &partSender{failAfter: 2}
	e.SetSender(flows.Console, failing)
	task := flows.Task{ID: "x1", Profile: flows.ProfileID(flowtest.Identity("u")), Job: "t.three"}
	if err := e.RunTask(ctx, task); err == nil {
		t.Fatal("the failed send was not returned (the queue would not retry)")
	}
	s := &partSender{}
	e.SetSender(flows.Console, s)
	if err := e.RunTask(ctx, task); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(failing.texts, []string{"one", "two"}) || !slices.Equal(s.texts, []string{"three"}) {
		t.Fatalf("first attempt %q, retry %q", failing.texts, s.texts)
	}
	if store.PendingReplies() != 0 {
		t.Fatal("replies still pending")
	}
}

// TestSweepDropsRepliesADayOld: replies that could not be sent for a day are dropped, not sent late.
func TestSweepDropsRepliesADayOld(t *testing.T) {
	store := flowtest.NewMemStore()
	onboarded(t, store, "u")
	clock := flowtest.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	e := newEngine(t, store, clock, threeReplies)
	e.SetSender(flows.Console, &partSender{})
	ctx := context.Background()
	if _, err := e.Handle(ctx, threeEvent("tg:1")); err != nil {
		t.Fatal(err)
	}
	store.Abandon()
	clock.Advance(flows.MaxPendingAge + time.Minute)
	s := &partSender{}
	e.SetSender(flows.Console, s)
	if n, err := e.Sweep(ctx, 10); err != nil || n != 0 || len(s.texts) != 0 || store.PendingReplies() != 0 {
		t.Fatalf("a day-old reply: swept %d, sent %q, %d pending, %v", n, s.texts, store.PendingReplies(), err)
	}
}
