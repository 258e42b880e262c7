package checkin_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/checkin"
	"github.com/m4pris/mentorbot/flows/flowtest"
)

// TestEscalationRetriedWhenStoreFails: an escalation that cannot read its alert (Redis down) fails, so the queue
// delivers it again, instead of "succeeding" with nobody asked; delivered again once Redis is back, it asks the next
// coordinator.
func TestEscalationRetriedWhenStoreFails(t *testing.T) {
	e := newEnv(t, "c1", "c2")
	first, second := coordsInOrder("c1", "c2")[0], coordsInOrder("c1", "c2")[1]
	e.join("anna", flows.Mentee, false, false)
	e.Send("anna", flows.Event{Payload: flows.ActionPayload("reach", "coordinator", checkin.KindAsked)})
	mustContain(t, "first coordinator", e.Inbox(first), "would like to talk")

	e.Clock.Advance(checkin.DefaultEscalate + time.Minute)
	due := e.Queue.TakeDue(e.Clock.Now())
	if len(due) != 1 || due[0].Job != checkin.JobEscalate {
		t.Fatalf("due %v, want the escalation", due)
	}
	e.down.Store(true)
	if err := e.Engine.RunTask(context.Background(), due[0]); err == nil || !strings.Contains(err.Error(), "get alert") {
		t.Fatalf("escalation with the store down: err %v, want the store's error", err)
	}
	if got := e.Inbox(second); len(got) > 0 {
		t.Fatalf("the second coordinator was asked although the escalation failed:\n%s", flowtest.Text(got))
	}
	e.down.Store(false)
	if err := e.Engine.RunTask(context.Background(), due[0]); err != nil {
		t.Fatalf("redelivered escalation: %v", err)
	}
	e.RunDue()
	mustContain(t, "second coordinator", e.Inbox(second), "would like to talk")
}

// TestRaiseFailsWhenStoreFails: asking for a coordinator while the alert cannot be stored tells the person to try
// again and keeps nothing (no alert id in the profile, no task), so the redelivered update raises it once.
func TestRaiseFailsWhenStoreFails(t *testing.T) {
	e := newEnv(t, "c1")
	e.join("anna", flows.Mentee, false, false)
	e.down.Store(true)
	press := flows.Event{ID: "tap1", Payload: flows.ActionPayload("reach", "coordinator", checkin.KindAsked)}
	r, err := e.TrySend("anna", press)
	if err == nil {
		t.Fatal("the request succeeded with the store down")
	}
	mustContain(t, "reply", r, "try again")
	if n := len(e.profile("anna").Checkins.Alerts); n != 0 || len(e.Queue.Pending()) != 0 {
		t.Fatalf("kept %d alert ids and %d tasks of a failed update", n, len(e.Queue.Pending()))
	}
	e.down.Store(false)
	mustContain(t, "redelivered", e.Send("anna", press), "I've asked a coordinator")
	mustContain(t, "coordinator", e.Inbox("c1"), "would like to talk")
}

// TestSweepEscalatesLostEscalation: the escalation task was lost (a crash between the save and the enqueue); the
// sweep the periodic jobs send to coordinators finds the overdue alert and escalates it all the same, once however
// many coordinators sweep; a taken alert is left alone.
func TestSweepEscalatesLostEscalation(t *testing.T) {
	e := newEnv(t, "c1", "c2")
	first, second := coordsInOrder("c1", "c2")[0], coordsInOrder("c1", "c2")[1]
	e.join("anna", flows.Mentee, false, false)
	e.Send("anna", flows.Event{Payload: flows.ActionPayload("reach", "coordinator", checkin.KindAsked)})
	mustContain(t, "first coordinator", e.Inbox(first), "would like to talk")
	var lost []string
	for _, task := range e.Queue.Pending() {
		if task.Job == checkin.JobEscalate {
			lost = append(lost, task.ID)
		}
	}
	if len(lost) != 1 {
		t.Fatalf("escalations queued: %v", lost)
	}
	if err := e.Queue.Cancel(context.Background(), lost...); err != nil {
		t.Fatal(err)
	}

	sweep := func(tick string) {
		t.Helper()
		for _, c := range []string{"c1", "c2"} {
			task := flows.NewTask("alert.sweep:"+pid(c)+":"+tick, pid(c), checkin.JobSweep, nil)
			if err := e.Engine.RunTask(context.Background(), task); err != nil {
				t.Fatal(err)
			}
		}
		e.RunDue()
	}
	e.Clock.Advance(time.Hour)
	sweep("1") // not overdue yet
	if got := e.Inbox(second); len(got) > 0 {
		t.Fatalf("the sweep escalated an alert before its time:\n%s", flowtest.Text(got))
	}
	e.Clock.Advance(checkin.DefaultEscalate)
	sweep("2")
	got := e.Inbox(second)
	mustContain(t, "second coordinator", got, "would like to talk")
	if n := strings.Count(flowtest.Text(got), "would like to talk"); n != 1 {
		t.Fatalf("the second coordinator was asked %d times", n)
	}

	e.Press(second, "I'll take it")
	e.Inbox("anna")
	e.Clock.Advance(3 * checkin.DefaultEscalate)
	sweep("3")
	if got := e.Inbox("anna"); len(got) > 0 {
		t.Fatalf("a taken alert was escalated:\n%s", flowtest.Text(got))
	}
	if ids, err := e.store.DueAlerts(context.Background(), e.Clock.Now()); err != nil || len(ids) != 0 {
		t.Fatalf("open alerts after it was taken: %v %v", ids, err)
	}
}
