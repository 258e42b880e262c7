package checkin_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
)

// coordsInOrder returns the coordinator users in the order alerts go to them (by profile id).
func coordsInOrder(users ...string) []string {
	slices.SortFunc(users, func(a, b string) int { return strings.Compare(pid(a), pid(b)) })
	return users
}

func mustContain(t *testing.T, what string, got []flows.Reply, want ...string) {
	t.Helper()
	text := withButtons(got)
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Fatalf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// withButtons is the replies' text followed by their button labels.
func withButtons(rs []flows.Reply) string {
	text := flowtest.Text(rs)
	for _, r := range rs {
		for _, row := range r.Buttons {
			for _, b := range row {
				text += "[" + b.Label + "]"
			}
		}
	}
	return text
}

// TestThresholdConfirmAlertAckEscalate walks an alert end to end on a simulated clock: a second worrying CBI, the
// question, yes, the first coordinator (no scores in the alert), nobody takes it for 2 h, the second coordinator
// takes it, the person is told, the first coordinator's late press is told who has it, and no escalation follows.
func TestThresholdConfirmAlertAckEscalate(t *testing.T) {
	e := newEnv(t, "c1", "c2")
	first, second := coordsInOrder("c1", "c2")[0], coordsInOrder("c1", "c2")[1]
	e.coord = first
	e.join("anna", flows.Mentee, true, true)

	if got := flowtest.Text(e.checkin("anna", "cbi", worrying...)); strings.Contains(got, "May I let") {
		t.Fatalf("asked after one result:\n%s", got)
	}
	mustContain(t, "second result", e.checkin("anna", "cbi", worrying...), "▇▇", "May I let a coordinator know")
	if len(e.Inbox(first))+len(e.Inbox(second)) > 0 {
		t.Fatal("a coordinator was told before the person said yes")
	}
	mustContain(t, "yes", e.Press("anna", "Yes, let them know"), "I've asked a coordinator", "112")

	alert := e.Inbox(first)
	mustContain(t, "alert", alert, "anna (mentee): their check-ins suggest support may help", "I'll take it")
	if scoreText.MatchString(flowtest.Text(alert)) || strings.Contains(flowtest.Text(alert), "out of 100") {
		t.Fatalf("the alert shows a score:\n%s", flowtest.Text(alert))
	}
	if len(e.Inbox(second)) > 0 {
		t.Fatal("the second coordinator was asked at once")
	}

	e.Clock.Advance(2*time.Hour - time.Minute)
	e.RunDue()
	if len(e.Inbox(second)) > 0 {
		t.Fatal("escalated early")
	}
	e.Clock.Advance(time.Minute)
	e.RunDue()
	mustContain(t, "escalated alert", e.Inbox(second), "anna (mentee)", "I'll take it")

	mustContain(t, "take", e.Press(second, "I'll take it"), "it's yours", "reach out to anna")
	mustContain(t, "person told", e.Inbox("anna"), second+", a coordinator, has picked up your request")
	mustContain(t, "second press", e.Press(second, "I'll take it"), "already taken this one")
	mustContain(t, "late press", e.Press(first, "I'll take it"), second+" has already taken this one")
	// The metrics: one alert raised, one taken (the second and the late press are not counted again).
	if got := e.Counts(); got["alert_raised/checkin/"] != 1 || got["alert_acknowledged/checkin/"] != 1 {
		t.Fatalf("counts %v", got)
	}

	e.Clock.Advance(10 * time.Hour)
	e.RunDue()
	if got := e.Inbox("anna"); len(got) > 0 {
		t.Fatalf("the person heard more after it was taken:\n%s", flowtest.Text(got))
	}
	if got := e.Inbox(first); len(got) > 0 {
		t.Fatalf("the alert went round again:\n%s", flowtest.Text(got))
	}
	holder, _ := e.store.AlertHolder(context.Background(), e.profile("anna").Checkins.Alerts[0])
	if holder != pid(second) {
		t.Fatalf("holder %q, want the second coordinator", holder)
	}

	// A worrying result while the alert is recent asks nothing and raises nothing.
	got := flowtest.Text(e.checkin("anna", "cbi", worrying...))
	if strings.Contains(got, "May I let") {
		t.Fatalf("asked again while a coordinator already knows:\n%s", got)
	}
}

// TestAckRetryStillTellsThePerson: when the acknowledgement was recorded but the coordinator's turn was not saved
// (it lost a revision race and is retried), the retry still tells the person and stops the escalation.
func TestAckRetryStillTellsThePerson(t *testing.T) {
	e := newEnv(t, "c1")
	e.coord = "c1"
	e.join("bo", flows.Mentee, false, false)
	e.Say("bo", "/checkin")
	mustContain(t, "asked", e.Press("bo", "Talk to someone"), "I've asked a coordinator")
	id := e.profile("bo").Checkins.Alerts[0]
	// The first attempt of the coordinator's turn got this far before its save was refused.
	if _, err := e.store.AckAlert(context.Background(), id, pid("c1"), time.Hour); err != nil {
		t.Fatal(err)
	}
	e.Press("c1", "I'll take it")
	mustContain(t, "person told", e.Inbox("bo"), "c1, a coordinator, has picked up your request")
	e.Clock.Advance(5 * time.Hour)
	e.RunDue()
	if got := e.Inbox("bo"); len(got) > 0 {
		t.Fatalf("the person heard more after it was taken:\n%s", flowtest.Text(got))
	}
}

// TestNobodyTakesIt: when every coordinator was asked and nobody took it, the person is told what to do instead,
// and may ask again.
func TestNobodyTakesIt(t *testing.T) {
	e := newEnv(t, "c1", "c2")
	e.coord = coordsInOrder("c1", "c2")[0]
	e.join("bo", flows.Mentee, false, false)
	e.Say("bo", "/checkin")
	mustContain(t, "asked", e.Press("bo", "Talk to someone"), "I've asked a coordinator")
	for range 2 {
		e.Clock.Advance(2 * time.Hour)
		e.RunDue()
	}
	mustContain(t, "nobody", e.Inbox("bo"), "no coordinator has picked up your request", "Livslinien 70 201 201")
	e.Say("bo", "/checkin")
	mustContain(t, "again", e.Press("bo", "Talk to someone"), "I've asked a coordinator")
}

// TestAlertWaitsForQuietHours: a check-in alert reaches a coordinator after their quiet hours; a request from the
// safety path goes at once.
func TestAlertWaitsForQuietHours(t *testing.T) {
	e := newEnv(t, "coord")
	e.join("dina", flows.Mentee, true, true)
	// The coordinator snoozed nudges and marked every day off: alerts are not nudges and still come the next
	// morning (days off and snoozes would hold them for days).
	ctx := context.Background()
	snap, err := e.store.Load(ctx, pid("coord"), "")
	if err != nil {
		t.Fatal(err)
	}
	snap.Profile.Nudges.SnoozeUntil = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	snap.Profile.DaysOff = []int{0, 1, 2, 3, 4, 5, 6}
	if err := e.store.Save(ctx, pid("coord"), snap, "", nil); err != nil {
		t.Fatal(err)
	}
	cph, _ := time.LoadLocation("Europe/Copenhagen")
	e.Clock.Set(time.Date(2026, 12, 1, 23, 0, 0, 0, cph)) // coordinator's quiet hours: 22:00–07:00
	e.checkin("dina", "cbi", worrying...)
	e.checkin("dina", "cbi", worrying...)
	e.Press("dina", "Yes, let them know")
	if got := e.Inbox("coord"); len(got) > 0 {
		t.Fatalf("alert at 23:00:\n%s", flowtest.Text(got))
	}
	e.Clock.Set(time.Date(2026, 12, 2, 7, 0, 0, 0, cph))
	e.RunDue()
	mustContain(t, "morning", e.Inbox("coord"), "dina (mentee)")

	e.Clock.Set(time.Date(2026, 12, 2, 23, 30, 0, 0, cph))
	e.Say("dina", "I want to end my life")
	e.Press("dina", "Ask a coordinator")
	mustContain(t, "crisis at night", e.Inbox("coord"), "as soon as possible")
}

// TestForgedAckAndForget: only coordinators can take an alert; /forget deletes the person's alert, so a pending
// delivery shows nothing and a press is told it is closed.
func TestForgedAckAndForget(t *testing.T) {
	e := newEnv(t, "coord")
	e.join("eve", flows.Mentee, true, true)
	e.Say("eve", "/checkin")
	e.Press("eve", "Talk to someone")
	id := e.profile("eve").Checkins.Alerts[0]
	mustContain(t, "forged", e.Send("eve", flows.Event{Payload: "g:alert.ack " + id}), "only for coordinators")
	if h, _ := e.store.AlertHolder(context.Background(), id); h != "" {
		t.Fatal("a non-coordinator took an alert")
	}
	e.Inbox("coord")
	e.Say("eve", "/forget")
	e.Press("eve", "Yes, erase everything")
	if a, _ := e.store.GetAlert(context.Background(), id); a != nil {
		t.Fatal("the alert outlived /forget")
	}
	mustContain(t, "after forget", e.Press("coord", "I'll take it"), "no longer open")
	e.Clock.Advance(3 * time.Hour)
	e.RunDue()
	if got := e.Inbox("coord"); len(got) > 0 {
		t.Fatalf("an erased person's alert was delivered:\n%s", flowtest.Text(got))
	}
}

// TestTellMyMentor: with a mentor, the offer includes them; the mentor hears only that their mentee would like to
// talk.
func TestTellMyMentor(t *testing.T) {
	e := newEnv(t, "coord")
	e.join("fia", flows.Mentee, true, false)
	e.join("mads", flows.Mentor, false, false)
	e.pairs[pid("fia")] = pid("mads")
	got := e.checkin("fia", "cbi", worrying...)
	mustContain(t, "offer", got, "A lesson that may help", "Ask my mentor", "Ask a coordinator")
	mustContain(t, "sent", e.Press("fia", "Ask my mentor"), "asked mads, your mentor")
	note := e.Inbox("mads")
	mustContain(t, "mentor", note, "fia, your mentee, would like to talk")
	if scoreText.MatchString(flowtest.Text(note)) {
		t.Fatal("the mentor saw a score")
	}
	// After unpairing, a delivery that was still queued is dropped.
	delete(e.pairs, pid("fia"))
	e.Clock.Advance(24 * time.Hour)
	e.Send("fia", flows.Event{Payload: "g:reach mentor asked"})
	if got := e.Inbox("mads"); len(got) > 0 {
		t.Fatalf("an ex-mentor was told:\n%s", flowtest.Text(got))
	}
}
