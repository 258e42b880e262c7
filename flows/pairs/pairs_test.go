package pairs_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
	"github.com/m4pris/mentorbot/flows/pairs"
	"github.com/m4pris/mentorbot/flows/programme"
)

func setup(e *flows.Engine, b flowtest.Backend) {
	programme.Register(e, programme.Deps{Directory: b, Invites: b})
}

var now = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func person(id, name, lang string, roles ...flows.Role) *flows.Profile {
	return &flows.Profile{ID: id, Name: name, Lang: lang, Roles: roles, Onboarded: true}
}

func capOf(p *flows.Profile) int {
	if p.Mentoring.Capacity > 0 {
		return p.Mentoring.Capacity
	}
	return 2
}

func TestRank(t *testing.T) {
	mentee := person("me", "Anna", "da", flows.Mentee)
	mentee.Mentoring = flows.MentoringData{Site: "Vestre", Unit: "B2", OtherUnit: true, Avoid: []string{"karl"}, AvoidIDs: []string{"old"}}
	full := person("full", "Full", "da", flows.Mentor)
	full.Mentoring.Capacity = 1
	full.Mentoring.Pairs = []flows.Pair{{ID: "x", Mentor: "full", Mentee: "y"}}
	paused := person("paused", "Pia", "da", flows.Mentor)
	paused.Mentoring.PausedUntil = now.Add(time.Hour)
	sameUnit := person("unit", "Uffe", "da", flows.Mentor)
	sameUnit.Mentoring = flows.MentoringData{Site: "vestre", Unit: "b2"}
	sameSite := person("site", "Sofie", "da", flows.Mentor)
	sameSite.Mentoring = flows.MentoringData{Site: "Vestre ", Unit: "A1"}
	danish := person("da", "Dorte", "da", flows.Mentor)
	busyDanish := person("busy", "Bent", "da", flows.Mentor)
	busyDanish.Mentoring.Pairs = []flows.Pair{{ID: "z", Mentor: "busy", Mentee: "w"}}
	english := person("en", "Ed", "en", flows.Mentor)
	mentors := []*flows.Profile{
		english, full, paused, sameUnit, person("karl", "Karl", "da", flows.Mentor), person("old", "Olga", "da", flows.Mentor),
		busyDanish, danish, sameSite, person("notmentor", "Nina", "da", flows.Mentee), mentee,
	}
	var got []string
	for _, s := range pairs.Rank(mentee, mentors, now, capOf) {
		got = append(got, s.Mentor.ID)
	}
	// Same language and site first, then same language with more free places, then another language.
	want := []string{"site", "da", "busy", "en"}
	if !slices.Equal(got, want) {
		t.Fatalf("ranked %v, want %v", got, want)
	}
}

func TestInactive(t *testing.T) {
	p := person("me", "Anna", "da", flows.Mentee)
	since := now.Add(-60 * 24 * time.Hour)
	p.Mentoring.Pairs = []flows.Pair{{ID: "p1", Mentee: "me", Mentor: "bob", OtherName: "Bob", Coordinator: "c", Since: since}}
	at := func(d time.Duration) []flows.Task {
		p.Mentoring.Pairs[0].LastSession = now.Add(-d)
		return pairs.Inactive(p, now)
	}
	if got := at(20 * 24 * time.Hour); len(got) != 0 {
		t.Fatalf("20 days: %v", got)
	}
	got := at(22 * 24 * time.Hour)
	if len(got) != 2 || got[0].Profile != "me" || got[1].Profile != "bob" {
		t.Fatalf("3 weeks: want a nudge to both, got %v", got)
	}
	again := at(22 * 24 * time.Hour)
	if got[0].ID != again[0].ID {
		t.Fatalf("ids change between sweeps: %s vs %s", got[0].ID, again[0].ID)
	}
	got = at(36 * 24 * time.Hour)
	if len(got) != 3 || got[2].Profile != "c" || !strings.Contains(string(got[2].Args), `"mentee_name":"Anna","mentor_name":"Bob"`) {
		t.Fatalf("5 weeks: want the coordinator told too, got %v", got)
	}
	// A confirmed session ahead, or a mentor on pause, means no nudge.
	p.Mentoring.Sessions = []flows.Session{{ID: "s", Pair: "p1", At: now.Add(time.Hour), Status: flows.SessionConfirmed}}
	if got := at(36 * 24 * time.Hour); len(got) != 0 {
		t.Fatalf("with a session ahead: %v", got)
	}
	p.Mentoring.Sessions = nil
	p.Mentoring.Pairs[0].OtherPausedUntil = now.Add(time.Hour)
	if got := at(36 * 24 * time.Hour); len(got) != 0 {
		t.Fatalf("mentor on pause: %v", got)
	}
	// The mentor's copy is not swept (each pair once).
	m := person("bob", "Bob", "da", flows.Mentor)
	m.Mentoring.Pairs = []flows.Pair{{ID: "p1", Mentee: "me", Mentor: "bob", Since: since}}
	if got := pairs.Inactive(m, now); len(got) != 0 {
		t.Fatalf("mentor's copy swept: %v", got)
	}
}

func TestDigest(t *testing.T) {
	d := pairs.NewDigest(now)
	coord := person("c", "Chris", "en", flows.Coordinator)
	coord.TZ = "Europe/Bucharest"
	d.Add(coord)
	for i := range 4 {
		p := person("m"+string(rune('0'+i)), "M", "da", flows.Mentee)
		p.Mentoring.Pairs = []flows.Pair{{ID: "p" + string(rune('0'+i)), Mentee: p.ID, Mentor: "x", Since: now.Add(-40 * 24 * time.Hour), LastSession: now.Add(-time.Duration(i*10) * 24 * time.Hour)}}
		p.Mentoring.Log = []flows.SessionLog{{ID: "s" + string(rune('0'+i)), At: now.Add(-24 * time.Hour), Held: true, Rating: 4, Mentee: true}}
		p.Lessons.Done = map[string]time.Time{"a1": now.Add(-time.Hour), "a2": now.Add(-30 * 24 * time.Hour)}
		d.Add(p)
	}
	// The mentor logged one of the same sessions: it is counted once.
	mentor := person("x", "Bob", "da", flows.Mentor)
	mentor.Mentoring.Log = []flows.SessionLog{{ID: "s0", At: now.Add(-24 * time.Hour), Held: true, Rating: 5}}
	mentor.Checkins.Last = now.Add(-time.Hour)
	d.Add(mentor)
	tasks := d.Tasks(now)
	if len(tasks) == 0 {
		t.Fatal("no digest task")
	}
	args := string(tasks[0].Args)
	for _, want := range []string{`"members":5`, `"mentees":4`, `"mentors":1`, `"pairs":4`, `"active":3`, `"held":4`, `"lessons":4`, `"checkins":1`} {
		if !strings.Contains(args, want) {
			t.Errorf("digest %q lacks %s", args, want)
		}
	}
	if !strings.Contains(args, `"rating":"4.2"`) {
		t.Errorf("5 ratings should give an average: %q", args)
	}
	small := pairs.NewDigest(now)
	for _, p := range []*flows.Profile{coord, mentor} {
		small.Add(p)
	}
	if st := small.Tasks(now); len(st) != 1 || strings.Contains(string(st[0].Args), "rating") {
		t.Errorf("an average over fewer than 5: %v", st)
	}
	tasks = d.Tasks(now)
	if len(tasks) != 1 || tasks[0].Profile != "c" {
		t.Fatalf("tasks %v", tasks)
	}
	// 08:00 in Bucharest on the tick's day has passed at 12:00 local: sent at the tick.
	if !tasks[0].At.Equal(now) {
		t.Errorf("digest at %v, want %v", tasks[0].At, now)
	}
	early := d.Tasks(time.Date(2026, 11, 30, 4, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC); !early[0].At.Equal(want) {
		t.Errorf("Monday digest at %v, want 08:00 Bucharest (%v)", early[0].At, want)
	}
}

// nudgeCase stores anna (mentee of bob) with quiet hours 22–07 and Saturday off, in zone tz.
func nudgeCase(t *testing.T, tz string) (*flowtest.Harness, *flows.Profile) {
	h := flowtest.NewHarness(t, nil, setup)
	id := flowtest.Identity("anna")
	anna := &flows.Profile{ID: flows.ProfileID(id), Identities: []flows.Identity{id}, Name: "Anna", Lang: "en", TZ: tz, Onboarded: true,
		Quiet: flows.Window{From: 22 * 60, To: 7 * 60}, DaysOff: []int{int(time.Saturday)}, Roles: []flows.Role{flows.Mentee}}
	anna.Mentoring.Pairs = []flows.Pair{{ID: "p1", Mentee: anna.ID, Mentor: "bob", OtherName: "Bob", Since: now}}
	if err := h.Store.Save(context.Background(), anna.ID, flows.Snapshot{Profile: anna}, "", nil); err != nil {
		t.Fatal(err)
	}
	return h, anna
}

// deliver runs an inactivity nudge at t and returns what anna got and when it was moved to, if it was.
func deliver(t *testing.T, h *flowtest.Harness, anna *flows.Profile, at time.Time) (string, time.Time) {
	t.Helper()
	h.Clock.Set(at)
	task := flows.NewTask("inactive:p1:"+at.Format(time.RFC3339), anna.ID, "pair.inactive", map[string]any{"pair": "p1", "weeks": 3})
	if err := h.Engine.RunTask(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	var moved time.Time
	for _, p := range h.Queue.Pending() {
		if strings.HasPrefix(p.ID, task.ID+"@") {
			moved = p.At
		}
	}
	return flowtest.Text(h.Inbox("anna")), moved
}

// TestNudgesRespectQuietHoursDaysOffAndSnooze: a nudge due in quiet hours, on a day off or while snoozed says
// nothing and moves to the next allowed minute; at an allowed time it comes. On the DST days the next allowed
// minute is 07:00 local by the new offset.
func TestNudgesRespectQuietHoursDaysOffAndSnooze(t *testing.T) {
	cph := "Europe/Copenhagen"
	tests := []struct {
		name  string
		tz    string
		at    time.Time
		snooz time.Time
		moved time.Time // zero: delivered now
	}{
		{"allowed", cph, time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), time.Time{}, time.Time{}},
		{"quiet hours", cph, time.Date(2026, 11, 26, 23, 0, 0, 0, time.UTC), time.Time{}, time.Date(2026, 11, 27, 6, 0, 0, 0, time.UTC)},
		// Friday 23:00 local: quiet, then Saturday is a day off: Sunday 07:00.
		{"quiet then day off", cph, time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC), time.Time{}, time.Date(2026, 11, 29, 6, 0, 0, 0, time.UTC)},
		{"day off", cph, time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC), time.Time{}, time.Date(2026, 11, 29, 6, 0, 0, 0, time.UTC)},
		{"snoozed", cph, time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)},
		// Sunday 29 March 2026, 06:30 CEST in Copenhagen: 07:00 CEST is 05:00 UTC.
		{"DST spring Copenhagen", cph, time.Date(2026, 3, 29, 4, 30, 0, 0, time.UTC), time.Time{}, time.Date(2026, 3, 29, 5, 0, 0, 0, time.UTC)},
		// Sunday 25 October 2026, 06:30 EET in Bucharest (after the change back): 07:00 EET is 05:00 UTC.
		{"DST autumn Bucharest", "Europe/Bucharest", time.Date(2026, 10, 25, 4, 30, 0, 0, time.UTC), time.Time{}, time.Date(2026, 10, 25, 5, 0, 0, 0, time.UTC)},
		// The same Sunday 05:30 UTC is 07:30 EET: allowed.
		{"DST autumn Bucharest allowed", "Europe/Bucharest", time.Date(2026, 10, 25, 5, 30, 0, 0, time.UTC), time.Time{}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, anna := nudgeCase(t, tt.tz)
			if !tt.snooz.IsZero() {
				anna.Nudges.SnoozeUntil = tt.snooz
				snap, _ := h.Store.Load(context.Background(), anna.ID, "")
				snap.Profile = anna
				if err := h.Store.Save(context.Background(), anna.ID, snap, "", nil); err != nil {
					t.Fatal(err)
				}
			}
			got, moved := deliver(t, h, anna, tt.at)
			if tt.moved.IsZero() {
				if !strings.Contains(got, "since you and Bob last met") || !moved.IsZero() {
					t.Fatalf("want the nudge now; got %q, moved to %v", got, moved)
				}
				return
			}
			if got != "" {
				t.Fatalf("nudge sent at a blocked time: %q", got)
			}
			if !moved.Equal(tt.moved) {
				t.Fatalf("moved to %v, want %v", moved, tt.moved)
			}
			// At the new time it comes.
			h.Clock.Set(moved)
			h.RunDue()
			if got := flowtest.Text(h.Inbox("anna")); !strings.Contains(got, "since you and Bob last met") {
				t.Fatalf("at %v: %q", moved, got)
			}
		})
	}
}
