package sessions_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
	"github.com/m4pris/mentorbot/flows/programme"
	"github.com/m4pris/mentorbot/flows/sessions"
)

func setup(e *flows.Engine, b flowtest.Backend) {
	programme.Register(e, programme.Deps{Directory: b, Invites: b})
}

// paired stores a mentee anna (Copenhagen) and a mentor bob (Bucharest) as a pair, both with quiet hours 22–07.
func paired(t *testing.T, h *flowtest.Harness) (anna, bob *flows.Profile) {
	t.Helper()
	mk := func(user, tz string, role flows.Role) *flows.Profile {
		id := flowtest.Identity(user)
		return &flows.Profile{ID: flows.ProfileID(id), Identities: []flows.Identity{id}, Name: strings.ToUpper(user[:1]) + user[1:],
			Lang: "en", TZ: tz, Quiet: flows.Window{From: 22 * 60, To: 7 * 60}, Onboarded: true, Roles: []flows.Role{role}}
	}
	anna, bob = mk("anna", "Europe/Copenhagen", flows.Mentee), mk("bob", "Europe/Bucharest", flows.Mentor)
	p := flows.Pair{ID: "pair1", Mentee: anna.ID, Mentor: bob.ID, Since: h.Clock.Now()}
	pa, pb := p, p
	pa.OtherName, pb.OtherName = "Bob", "Anna"
	anna.Mentoring.Pairs, bob.Mentoring.Pairs = []flows.Pair{pa}, []flows.Pair{pb}
	for _, x := range []*flows.Profile{anna, bob} {
		if err := h.Store.Save(context.Background(), x.ID, flows.Snapshot{Profile: x}, "", nil); err != nil {
			t.Fatal(err)
		}
	}
	return anna, bob
}

// reminders returns the pending reminder tasks by id.
func reminders(h *flowtest.Harness) map[string]flows.Task {
	out := map[string]flows.Task{}
	for _, t := range h.Queue.Pending() {
		if strings.HasPrefix(t.ID, "remind:") || strings.HasPrefix(t.ID, "after:") {
			out[t.ID] = t
		}
	}
	return out
}

func sessionIDs(ts map[string]flows.Task) []string {
	var out []string
	for id := range ts {
		sid := strings.Split(id, ":")[1]
		if !slices.Contains(out, sid) {
			out = append(out, sid)
		}
	}
	return out
}

func plan(t *testing.T, h *flowtest.Harness, who string, when string) {
	t.Helper()
	h.Say(who, "/session")
	if got := flowtest.Text(h.Say(who, when)); !strings.Contains(got, "Propose") {
		t.Fatalf("%q was not understood: %s", when, got)
	}
	h.Press(who, "Send it")
}

// TestRescheduleMovesReminders: after a confirmed session is moved, none of its reminders or follow-ups is left
// on either side, and the new session has its own.
func TestRescheduleMovesReminders(t *testing.T) {
	h := flowtest.NewHarness(t, nil, setup)
	anna, bob := paired(t, h)
	plan(t, h, "anna", "tomorrow 15:30")
	h.Press("bob", "Yes, that works")
	first := reminders(h)
	if len(first) != 6 { // 1 day, 1 hour and the follow-up, for each side
		t.Fatalf("after confirming: %d reminder tasks, want 6: %v", len(first), first)
	}
	old := sessionIDs(first)
	h.Say("anna", "/session")
	h.Press("anna", "Move it")
	h.Say("anna", "monday 18:00")
	h.Press("anna", "Send it")
	// Until bob answers, anna's old reminders are gone and bob's are gone too (the proposal replaced the session).
	if got := reminders(h); len(got) != 0 {
		t.Fatalf("while the move is proposed: %v", got)
	}
	h.Press("bob", "Yes, that works")
	now := reminders(h)
	if len(now) != 6 {
		t.Fatalf("after the move: %d reminder tasks, want 6: %v", len(now), now)
	}
	for id := range now {
		if strings.Contains(id, old[0]) {
			t.Errorf("old session's task still queued: %s", id)
		}
	}
	for _, p := range []*flows.Profile{anna, bob} {
		n := 0
		for _, task := range now {
			if task.Profile == p.ID {
				n++
			}
		}
		if n != 3 {
			t.Errorf("%s has %d tasks, want 3", p.Name, n)
		}
	}
	// Monday 18:00 in Copenhagen is 17:00 UTC; bob's 1-day reminder is Sunday 19:00 his time.
	for id, task := range now {
		if strings.HasPrefix(id, "remind:") && task.Profile == bob.ID && strings.HasSuffix(id, ":1440") {
			if want := time.Date(2026, 11, 29, 17, 0, 0, 0, time.UTC); !task.At.Equal(want) {
				t.Errorf("bob's day-before reminder at %v, want %v", task.At, want)
			}
		}
	}
}

// TestCancelRemovesBothSides: cancelling a confirmed session leaves no task for it.
func TestCancelRemovesBothSides(t *testing.T) {
	h := flowtest.NewHarness(t, nil, setup)
	paired(t, h)
	plan(t, h, "anna", "tomorrow 15:30")
	h.Press("bob", "Yes, that works")
	h.Say("bob", "/session")
	h.Press("bob", "Cancel it")
	if got := reminders(h); len(got) != 0 {
		t.Fatalf("after cancelling: %v", got)
	}
	if got := flowtest.Text(h.Inbox("anna")); !strings.Contains(got, "Bob cancelled the session") {
		t.Fatalf("anna was not told: %s", got)
	}
}

// TestReminderComesInQuietHours: a reminder the user asked for is not held back by quiet hours, and comes once.
func TestReminderComesInQuietHours(t *testing.T) {
	h := flowtest.NewHarness(t, nil, setup)
	paired(t, h)
	plan(t, h, "anna", "tomorrow 7:30") // 06:30 Copenhagen, in quiet hours, is the 1-hour reminder
	h.Press("bob", "Yes, that works")
	h.Inbox("anna")
	h.Clock.Set(time.Date(2026, 11, 28, 5, 31, 0, 0, time.UTC))
	h.RunDue()
	got := flowtest.Text(h.Inbox("anna"))
	if strings.Count(got, "Reminder") != 1 || !strings.Contains(got, "in 1 hour") {
		t.Fatalf("anna's inbox at 06:31: %q", got)
	}
	h.Clock.Advance(10 * time.Minute)
	h.RunDue()
	if got := flowtest.Text(h.Inbox("anna")); strings.Contains(got, "Reminder") {
		t.Fatalf("a second reminder came: %q", got)
	}
}

// TestFollowUpWaitsForQuietHours: "did it take place?" is a nudge: after a late session it waits for the morning.
func TestFollowUpWaitsForQuietHours(t *testing.T) {
	h := flowtest.NewHarness(t, nil, setup)
	paired(t, h)
	plan(t, h, "anna", "tomorrow 21:30")
	h.Press("bob", "Yes, that works")
	h.Inbox("anna")
	h.Clock.Set(time.Date(2026, 11, 28, 21, 40, 0, 0, time.UTC)) // 22:40 in Copenhagen
	h.RunDue()
	if got := flowtest.Text(h.Inbox("anna")); strings.Contains(got, "take place") {
		t.Fatalf("follow-up came in quiet hours: %q", got)
	}
	h.Clock.Set(time.Date(2026, 11, 29, 6, 0, 0, 0, time.UTC)) // 07:00
	h.RunDue()
	if got := flowtest.Text(h.Inbox("anna")); !strings.Contains(got, "Did your session with Bob") {
		t.Fatalf("no follow-up at 07:00: %q", got)
	}
}

// TestSessionReminderDST plans a session on the Sunday the clocks go forward: the day-before reminder keeps the
// local time, the hour-before one is an hour before in real time.
func TestSessionReminderDST(t *testing.T) {
	h := flowtest.NewHarness(t, nil, setup)
	h.Clock.Set(time.Date(2026, 3, 27, 10, 0, 0, 0, time.UTC))
	anna, _ := paired(t, h)
	plan(t, h, "anna", "sunday 15:30")
	h.Press("bob", "Yes, that works")
	want := map[string]time.Time{
		"1440": time.Date(2026, 3, 28, 14, 30, 0, 0, time.UTC), // Saturday 15:30 CET
		"60":   time.Date(2026, 3, 29, 12, 30, 0, 0, time.UTC), // Sunday 14:30 CEST
	}
	found := 0
	for id, task := range reminders(h) {
		if task.Profile != anna.ID || !strings.HasPrefix(id, "remind:") {
			continue
		}
		m := id[strings.LastIndex(id, ":")+1:]
		if !task.At.Equal(want[m]) {
			t.Errorf("reminder %s min at %v, want %v", m, task.At, want[m])
		}
		found++
	}
	if found != 2 {
		t.Fatalf("%d reminders for anna, want 2", found)
	}
}

// TestPlannerReplansLostReminders: the sessions planner returns exactly the confirmed session's future tasks, so a
// task lost from the queue comes back with the same id.
func TestPlannerReplansLostReminders(t *testing.T) {
	h := flowtest.NewHarness(t, nil, setup)
	anna, _ := paired(t, h)
	plan(t, h, "anna", "monday 18:00")
	h.Press("bob", "Yes, that works")
	queued := reminders(h)
	p, err := h.Store.Profile(context.Background(), anna.ID)
	if err != nil {
		t.Fatal(err)
	}
	planned := h.Engine.Plan(p, h.Clock.Now())
	var ids []string
	for _, task := range planned {
		if strings.HasPrefix(task.ID, "remind:") || strings.HasPrefix(task.ID, "after:") {
			ids = append(ids, task.ID)
			if q, ok := queued[task.ID]; !ok || !q.At.Equal(task.At) {
				t.Errorf("planned %s at %v is not what was queued (%v)", task.ID, task.At, q.At)
			}
		}
	}
	if len(ids) != 3 {
		t.Fatalf("planned %v, want anna's 3 tasks", ids)
	}
}

// TestStaleAndForgedSessionButtons: buttons naming a session that is not the user's change nothing.
func TestStaleAndForgedSessionButtons(t *testing.T) {
	h := flowtest.NewHarness(t, nil, setup)
	paired(t, h)
	for _, payload := range []string{"g:ses.yes nosuch", "g:ses.no", "g:ses.held nosuch y", "g:ses.rate nosuch 9", "g:grp.rsvp nosuch y", "g:pairfit pair1 maybe"} {
		got := flowtest.Text(h.Send("anna", flows.Event{Payload: payload}))
		if !strings.Contains(got, "no longer open") {
			t.Errorf("%s: %q", payload, got)
		}
	}
	// Jobs cannot be pressed: a forged pairing, proposal or group count changes nothing.
	for _, payload := range []string{"g:pair.paired px mallory c Mal", "g:job pair.paired px mallory c Mal", "g:ses.proposed s1 pair1 1795876200 -", "g:grp.count g1 x y"} {
		if got := flowtest.Text(h.Send("anna", flows.Event{Payload: payload})); got == "" {
			t.Errorf("%s: no reply", payload)
		}
	}
	p, _ := h.Store.Profile(context.Background(), flows.ProfileID(flowtest.Identity("anna")))
	if len(p.Mentoring.Pairs) != 1 || len(p.Mentoring.Sessions) != 0 {
		t.Fatalf("forged jobs changed anna: %+v", p.Mentoring)
	}
	if n := len(h.Queue.Pending()); n != 0 {
		t.Fatalf("forged buttons queued %d tasks", n)
	}
}

// TestPurge drops log entries older than a year and stale follow-ups, and keeps the rest.
func TestPurge(t *testing.T) {
	h := flowtest.NewHarness(t, nil, setup)
	anna, _ := paired(t, h)
	snap, _ := h.Store.Load(context.Background(), anna.ID, "")
	p := snap.Profile
	old, recent := h.Clock.Now().Add(-400*24*time.Hour), h.Clock.Now().Add(-30*24*time.Hour)
	p.Mentoring.Log = []flows.SessionLog{{ID: "old", At: old, Held: true, Note: "kept too long"}, {ID: "new", At: recent, Held: true}}
	p.Mentoring.Sessions = []flows.Session{{ID: "stale", Pair: "pair1", At: recent, Status: flows.SessionFollowUp}}
	if err := h.Store.Save(context.Background(), anna.ID, snap, "", nil); err != nil {
		t.Fatal(err)
	}
	if err := h.Engine.RunTask(context.Background(), flows.Task{ID: "purge:1", Profile: anna.ID, Job: sessions.JobPurge}); err != nil {
		t.Fatal(err)
	}
	got, _ := h.Store.Profile(context.Background(), anna.ID)
	if len(got.Mentoring.Log) != 1 || got.Mentoring.Log[0].ID != "new" || len(got.Mentoring.Sessions) != 0 {
		t.Fatalf("after purge: log %+v, sessions %+v", got.Mentoring.Log, got.Mentoring.Sessions)
	}
}

// TestForgetEndsPair: when one side erases everything, the other side's copy of the pair and its sessions go, with
// their reminders, and they get the neutral notice.
func TestForgetEndsPair(t *testing.T) {
	h := flowtest.NewHarness(t, nil, setup)
	_, bob := paired(t, h)
	plan(t, h, "anna", "tomorrow 15:30")
	h.Press("bob", "Yes, that works")
	h.Inbox("bob")
	h.Say("anna", "/forget")
	h.Press("anna", "Yes, erase everything")
	h.RunDue()
	if got := flowtest.Text(h.Inbox("bob")); !strings.Contains(got, "Your mentoring pairing with Anna has ended") {
		t.Fatalf("bob was not told: %q", got)
	}
	p, _ := h.Store.Profile(context.Background(), bob.ID)
	if len(p.Mentoring.Pairs) != 0 || len(p.Mentoring.Sessions) != 0 {
		t.Fatalf("bob still holds %+v", p.Mentoring)
	}
	if got := reminders(h); len(got) != 0 {
		t.Fatalf("reminders left: %v", got)
	}
}
