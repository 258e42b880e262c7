package flows_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
)

// recordSender is a flows.Sender that keeps what it was given, or answers err.
type recordSender struct {
	sent []flows.Reply
	err  error
}

func (s *recordSender) Send(_ context.Context, _ flows.Identity, rs []flows.Reply) error {
	if s.err != nil {
		return s.err
	}
	s.sent = append(s.sent, rs...)
	return nil
}

// TestCounts checks what the engine reports through Observe for counted events: a flow's Ctx.Count once the
// update is saved, and each delivery of a nudge job by outcome (deferred in quiet hours, sent, dropped,
// unreachable), never twice for a redelivered task.
func TestCounts(t *testing.T) {
	store := flowtest.NewMemStore()
	clock := flowtest.NewClock(time.Date(2026, 3, 2, 23, 0, 0, 0, time.UTC)) // in the quiet hours below
	onboarded(t, store, "u")
	pid := flows.ProfileID(flowtest.Identity("u"))
	snap, _ := store.Load(context.Background(), pid, "")
	snap.Profile.Quiet = flows.Window{From: 22 * 60, To: 7 * 60}
	if err := store.Save(context.Background(), pid, snap, "", nil); err != nil {
		t.Fatal(err)
	}
	var counts []string
	queue := &flowtest.Queue{}
	e := flows.New(flows.Options{Store: store, Clock: clock, Content: content.MustDefault(), Queue: queue,
		Observe: func(o flows.Observation) {
			if o.Count != "" {
				counts = append(counts, o.Count+"/"+o.Kind+"/"+string(o.Platform)+"/"+string(o.Job))
			}
		}})
	sender := &recordSender{}
	e.SetSender(flows.Console, sender)
	e.Add(flows.Feature{
		Name: "test",
		Jobs: []flows.JobHandler{
			{Job: "t.nudge", Nudge: true, Run: func(c *flows.Ctx) {
				if c.Event.Args == "stale" || c.DeferNudge() {
					return
				}
				c.Say("time for a check-in")
			}},
			{Job: "t.notice", Run: func(c *flows.Ctx) { c.Say("news") }},
		},
		Actions: []*flows.Action{{Name: "t.raise", Commands: []string{"raise"}, Run: func(c *flows.Ctx) {
			c.Count(flows.CountAlertRaised, "asked")
			c.Say("a coordinator will be in touch")
		}}},
	})
	ctx := context.Background()
	run := func(id string, job flows.Job, args string) {
		t.Helper()
		if err := e.RunTask(ctx, flows.Task{ID: id, Profile: pid, Job: job, Args: args}); err != nil {
			t.Fatalf("task %s: %v", id, err)
		}
	}
	expect := func(want ...string) {
		t.Helper()
		if !slices.Equal(counts, want) {
			t.Fatalf("counts %q, want %q", counts, want)
		}
		counts = nil
	}

	run("n1", "t.nudge", "")
	expect("nudge/deferred_quiet//t.nudge")
	if len(sender.sent) != 0 || len(queue.Pending()) != 1 || queue.Pending()[0].At.Hour() != 7 {
		t.Fatalf("a nudge in quiet hours: sent %d, queued %+v", len(sender.sent), queue.Pending())
	}

	clock.Set(time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC))
	run("n2", "t.nudge", "")
	expect("nudge/sent//t.nudge")
	run("n2", "t.nudge", "") // redelivered after it was sent and acknowledged: nothing happens, nothing counts
	run("n3", "t.nudge", "stale")
	expect("nudge/dropped//t.nudge")
	run("x1", "t.notice", "") // not a nudge job
	expect()
	if len(sender.sent) != 2 {
		t.Fatalf("sent %d replies, want 2", len(sender.sent))
	}

	sender.err = errors.New("platform down")
	if err := e.RunTask(ctx, flows.Task{ID: "n5", Profile: pid, Job: "t.nudge"}); err == nil {
		t.Fatal("a failed send was not returned")
	}
	expect() // not sent: the queue tries again, and that delivery counts
	sender.err = nil
	run("n5", "t.nudge", "")
	expect("nudge/sent//t.nudge")
	sender.err = flows.ErrUnreachable // blocked the bot: marked unreachable until they write again
	run("n4", "t.nudge", "")
	expect("nudge/unreachable//t.nudge")

	res, err := e.Handle(ctx, flows.Event{ID: "m1", From: flowtest.Identity("u"), Command: "raise"})
	if err != nil || len(res.Replies) == 0 {
		t.Fatalf("raise: %v %+v", err, res)
	}
	if _, err := e.Handle(ctx, flows.Event{ID: "m1", From: flowtest.Identity("u"), Command: "raise"}); err != nil {
		t.Fatal(err)
	}
	expect("alert_raised/asked/console/") // the redelivered update counts nothing
}
