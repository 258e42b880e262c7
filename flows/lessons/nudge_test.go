package lessons_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/lessons"
)

func cph(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestNudgePlan(t *testing.T) {
	h := newHarness(t, nil, nil, nil)
	l := lessons.New(lessons.Deps{})
	base := func() *flows.Profile {
		return &flows.Profile{ID: "p1", Lang: "da", TZ: "Europe/Copenhagen", Onboarded: true,
			Roles: []flows.Role{flows.Mentee}, Quiet: flows.Window{From: 22 * 60, To: 7 * 60}}
	}
	wed := cph(t, "2026-12-02 11:00")
	for _, tc := range []struct {
		name   string
		change func(p *flows.Profile)
		now    time.Time
		wantID string
		wantAt time.Time
	}{
		{"twice a week: Friday after Wednesday", nil, wed, "lessons.nudge:p1:2026-12-04", cph(t, "2026-12-04 17:00")},
		{"twice a week: Tuesday after Friday's slot", nil, cph(t, "2026-12-04 17:00"), "lessons.nudge:p1:2026-12-08", cph(t, "2026-12-08 17:00")},
		{"weekly: Tuesday", func(p *flows.Profile) { p.Lessons.Cadence = "weekly" }, wed, "lessons.nudge:p1:2026-12-08", cph(t, "2026-12-08 17:00")},
		{"quiet hours move it", func(p *flows.Profile) { p.Quiet = flows.Window{From: 16 * 60, To: 19*60 + 30} }, wed, "lessons.nudge:p1:2026-12-04", cph(t, "2026-12-04 19:30")},
		{"a day off moves it", func(p *flows.Profile) { p.DaysOff = []int{int(time.Friday)} }, wed, "lessons.nudge:p1:2026-12-04", cph(t, "2026-12-05 07:00")},
		{"never", func(p *flows.Profile) { p.Lessons.Cadence = "off" }, wed, "", time.Time{}},
		{"not onboarded", func(p *flows.Profile) { p.Onboarded = false }, wed, "", time.Time{}},
		{"everything read", func(p *flows.Profile) {
			p.Roles = []flows.Role{flows.Guest}
			p.Lessons.Done = map[string]time.Time{}
			lib := content.MustDefaultLibrary()
			for _, m := range lib.ModulesFor(string(flows.Guest)) {
				for _, ls := range lib.LessonsOf(m.ID) {
					p.Lessons.Done[ls.ID] = wed
				}
			}
		}, wed, "", time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base()
			if tc.change != nil {
				tc.change(p)
			}
			got := l.Plan(p, tc.now)
			if tc.wantID == "" {
				if len(got) != 0 {
					t.Fatalf("planned %+v, want nothing", got)
				}
				return
			}
			if len(got) != 1 || got[0].ID != tc.wantID || !got[0].At.Equal(tc.wantAt) || got[0].Job != lessons.NudgeJob || got[0].Profile != "p1" {
				t.Fatalf("planned %+v, want id %s at %s", got, tc.wantID, tc.wantAt)
			}
			// Planning again later the same day gives the same task id: the queue enqueues it once.
			again := l.Plan(p, tc.now.Add(time.Hour))
			if len(again) != 1 || again[0].ID != got[0].ID {
				t.Fatalf("re-planned %+v, want the same id", again)
			}
		})
	}
	// The planner is registered on the engine under its job's name.
	found := false
	for _, task := range h.Engine.Plan(base(), wed) {
		found = found || task.Job == lessons.NudgeJob
	}
	if !found {
		t.Fatal("the lessons planner is not registered")
	}
}

// TestNudgeDelivery: a due nudge offers the next lesson with a button that starts it, and is held back from someone
// who just read a lesson or is in the middle of a conversation.
func TestNudgeDelivery(t *testing.T) {
	h := newHarness(t, nil, nil, nil)
	seed(t, h, "gus", "en", flows.Mentee)
	run := func(id string) []flows.Reply {
		t.Helper()
		if err := h.Engine.RunTask(context.Background(), flows.Task{ID: id, Profile: pid("gus"), Job: lessons.NudgeJob}); err != nil {
			t.Fatal(err)
		}
		return h.Inbox("gus")
	}
	r := run("n1")
	contains(t, r, "Got a few minutes? Next lesson: “The three conversations inside a hard talk” (4 min).")
	contains(t, h.Press("gus", "▶ Start the lesson"), "📖 The three conversations inside a hard talk · 1/4")

	// Just read: no nudge.
	if r := run("n2"); len(r) != 0 {
		t.Fatalf("nudged right after a lesson: %s", r[0].Text)
	}
	// In the middle of a conversation, active a minute ago: no nudge, and the conversation is left as it is.
	h.Clock.Advance(3 * 24 * time.Hour)
	h.Say("gus", "/settings")
	h.Clock.Advance(time.Minute)
	if r := run("n3"); len(r) != 0 {
		t.Fatalf("nudged during a conversation: %s", r[0].Text)
	}
	// Quiet hours at delivery (settings changed since planning): no nudge.
	h.Clock.Set(cph(t, "2026-12-05 23:30"))
	if r := run("n4"); len(r) != 0 {
		t.Fatalf("nudged in quiet hours: %s", r[0].Text)
	}
	// An hour after the last words, mid-lesson: the nudge offers to carry on and leaves the conversation alone.
	h.Clock.Set(cph(t, "2026-12-06 12:00"))
	open(h, "gus", a1)
	h.Clock.Advance(3 * 24 * time.Hour)
	before := profile(t, h, "gus").State
	r = run("n5")
	contains(t, r, "You stopped in the middle of “The three conversations inside a hard talk”")
	after := profile(t, h, "gus").State
	if before.Flow != after.Flow || before.Step != after.Step || before.Seq != after.Seq {
		t.Fatalf("the nudge changed the conversation: %+v → %+v", before, after)
	}
	contains(t, h.Press("gus", "⏰ Reminders"), "How often should I suggest a lesson? Now: twice a week.")
	h.Press("gus", "Never")
	if r := run("n6"); len(r) != 0 {
		t.Fatalf("nudged with cadence off: %s", r[0].Text)
	}
	// A user may not trigger the job with a forged button.
	contains(t, h.Send("gus", flows.Event{Payload: flows.ActionPayload(string(lessons.NudgeJob))}), "That choice is no longer open")
	// What the metrics were told: the quiet-hours drop on its own.
	want := map[string]int{"nudge/sent/lessons.nudge": 2, "nudge/dropped/lessons.nudge": 3, "nudge/skipped_quiet/lessons.nudge": 1}
	if got := h.Counts(); !maps.Equal(got, want) {
		t.Fatalf("counts %v, want %v", got, want)
	}
}
