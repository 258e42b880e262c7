package flows_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
)

var errStore = errors.New("redis: connection refused")

// failingFeature is a flow whose answer needs a store (down while *down is set) and a job that needs it too. Both
// change state and schedule a task before the store call, so a test sees whether the engine kept any of it.
func failingFeature(down *bool) flows.Feature {
	lookup := func(c *flows.Ctx) error {
		c.Profile.InviteFails++
		c.Schedule(flows.Task{ID: "side-effect:" + c.Event.ID, Profile: c.Profile.ID, Job: "t.job"})
		if *down {
			return errors.Join(errors.New("look up"), errStore)
		}
		return nil
	}
	return flows.Feature{
		Name: "failing",
		Flows: []*flows.Flow{{
			Name: "ask", Version: 1, First: "q", Commands: []string{"ask"},
			Steps: map[string]flows.Step{"q": {
				Ask: func(c *flows.Ctx) error { c.Ask("question?"); return nil },
				Answer: func(c *flows.Ctx) error {
					if err := lookup(c); err != nil {
						return err
					}
					c.Say("stored")
					c.Done()
					return nil
				},
			}},
		}},
		Jobs: []flows.JobHandler{{Job: "t.job", Run: func(c *flows.Ctx) error {
			if err := lookup(c); err != nil {
				return err
			}
			c.Say("job done")
			return nil
		}}},
	}
}

// TestStepErrorKeepsNothingAndIsRetried: a step whose store call fails returns the error from Handle (the platform
// redelivers), the person gets "try again", and nothing the step did is kept: not the state change, not the
// task, not the duplicate mark. The redelivered update then goes through once.
func TestStepErrorKeepsNothingAndIsRetried(t *testing.T) {
	store := flowtest.NewMemStore()
	clock := flowtest.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	onboarded(t, store, "u")
	queue := &flowtest.Queue{}
	down := false
	e := flows.New(flows.Options{Store: store, Clock: clock, Content: content.MustDefault(), Queue: queue})
	e.Add(failingFeature(&down))
	send(t, e, flows.TextEvent(flowtest.Identity("u"), "/ask"))

	down = true
	ev := flows.TextEvent(flowtest.Identity("u"), "an answer")
	ev.From, ev.ID = flowtest.Identity("u"), "tg:7"
	res, err := e.Handle(context.Background(), ev)
	if !errors.Is(err, errStore) {
		t.Fatalf("Handle: err %v, want the store's error", err)
	}
	if got := flowtest.Text(res.Replies); !strings.Contains(got, "try again") || strings.Contains(got, "stored") {
		t.Fatalf("replies %q, want only the try-again reply", got)
	}
	pid := flows.ProfileID(flowtest.Identity("u"))
	snap, _ := store.Load(context.Background(), pid, "tg:7")
	if snap.Seen || snap.Profile.InviteFails != 0 || snap.State.Step != "q" || len(queue.Pending()) != 0 {
		t.Fatalf("a failed update left traces: seen %v, counter %d, step %q, %d tasks", snap.Seen, snap.Profile.InviteFails, snap.State.Step, len(queue.Pending()))
	}

	down = false
	res, err = e.Handle(context.Background(), ev)
	if err != nil || !strings.Contains(flowtest.Text(res.Replies), "stored") {
		t.Fatalf("redelivery: %v %q", err, flowtest.Text(res.Replies))
	}
	if snap, _ = store.Load(context.Background(), pid, ""); snap.Profile.InviteFails != 1 || len(queue.Pending()) != 1 {
		t.Fatalf("after the redelivery: counter %d, %d tasks; want 1, 1", snap.Profile.InviteFails, len(queue.Pending()))
	}
}

// TestJobErrorIsRetried: a job whose store call fails makes RunTask fail (asynq retries it) and sends nothing; the
// retry runs it once.
func TestJobErrorIsRetried(t *testing.T) {
	store := flowtest.NewMemStore()
	clock := flowtest.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	onboarded(t, store, "u")
	down := true
	sender := &recordSender{}
	e := flows.New(flows.Options{Store: store, Clock: clock, Content: content.MustDefault(), Queue: &flowtest.Queue{}})
	e.SetSender(flows.Console, sender)
	e.Add(failingFeature(&down))
	task := flows.Task{ID: "j1", Profile: flows.ProfileID(flowtest.Identity("u")), Job: "t.job"}
	if err := e.RunTask(context.Background(), task); !errors.Is(err, errStore) {
		t.Fatalf("RunTask: %v, want the store's error", err)
	}
	if n := len(sender.sent); n != 0 {
		t.Fatalf("a failed job sent %d messages", n)
	}
	down = false
	if err := e.RunTask(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	if got := flowtest.Text(sender.sent); got != "job done\n" {
		t.Fatalf("sent %q after the retry", got)
	}
}

// TestUnreadableTaskIsDropped: a task whose arguments this build cannot read (queued by an older build, or not
// ours) is dropped: RunTask succeeds so the queue does not retry it forever, nothing is sent, and it is not marked
// handled, so a task planned again under the same id with readable arguments still runs.
func TestUnreadableTaskIsDropped(t *testing.T) {
	store := flowtest.NewMemStore()
	clock := flowtest.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	onboarded(t, store, "u")
	sender := &recordSender{}
	e := flows.New(flows.Options{Store: store, Clock: clock, Content: content.MustDefault(), Queue: &flowtest.Queue{}})
	e.SetSender(flows.Console, sender)
	type args struct{ Pair string }
	e.Add(flows.Feature{Name: "t", Jobs: []flows.JobHandler{{Job: "t.read", Run: func(c *flows.Ctx) error {
		var a args
		if err := c.Args(&a); err != nil {
			return err
		}
		c.Say("pair " + a.Pair)
		return nil
	}}}})
	pid := flows.ProfileID(flowtest.Identity("u"))
	for name, task := range map[string]flows.Task{
		"an older build's positional arguments": {ID: "x1", Profile: pid, Job: "t.read", Args: []byte(`"p1 3"`)},
		"another version":                       {ID: "x1", Profile: pid, Job: "t.read", V: 2, Args: []byte(`{"Pair":"p1"}`)},
		"not JSON":                              {ID: "x1", Profile: pid, Job: "t.read", V: 1, Args: []byte(`{`)},
	} {
		if err := e.RunTask(context.Background(), task); err != nil {
			t.Errorf("%s: RunTask %v, want the task dropped", name, err)
		}
	}
	if len(sender.sent) != 0 {
		t.Fatalf("an unreadable task sent %q", flowtest.Text(sender.sent))
	}
	if err := e.RunTask(context.Background(), flows.NewTask("x1", pid, "t.read", args{Pair: "p1"})); err != nil {
		t.Fatal(err)
	}
	if got := flowtest.Text(sender.sent); got != "pair p1\n" {
		t.Fatalf("the task planned again sent %q", got)
	}
}
