package link_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/link"
)

var (
	t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	t1 = t0.Add(24 * time.Hour)
	t2 = t1.Add(24 * time.Hour)
)

// fill sets every settable leaf of v to a non-zero value, so a test notices a Profile field Merge forgets.
func fill(v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(t1))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		}
	case reflect.String:
		v.SetString("x" + path)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(3)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), path+"[0]")
		v.Set(s)
	case reflect.Pointer:
		e := reflect.New(v.Type().Elem())
		fill(e.Elem(), path)
		v.Set(e)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		fill(k, path+"{k}")
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e, path+"{v}")
		m.SetMapIndex(k, e)
		v.Set(m)
	default:
		panic("fill: unhandled kind " + v.Kind().String() + " at " + path)
	}
}

// zeroLeaves lists the leaves of v that are zero.
func zeroLeaves(v reflect.Value, path string, out *[]string) {
	switch {
	case v.Kind() == reflect.Struct && v.Type() != reflect.TypeOf(time.Time{}):
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				zeroLeaves(v.Field(i), path+"."+v.Type().Field(i).Name, out)
			}
		}
	case v.IsZero():
		*out = append(*out, path)
	}
}

// TestMergeLosesNothing fills every field of the joining profile and merges it into an empty one: every field must
// arrive, except the ones Merge keeps from the profile that stays by design (its id, its consents, its rate count).
func TestMergeLosesNothing(t *testing.T) {
	from := &flows.Profile{}
	fill(reflect.ValueOf(from).Elem(), "Profile")
	from.Roles = []flows.Role{flows.Mentor}
	into := &flows.Profile{ID: "canonical", Consents: flows.Consents{KeepScores: flows.Consent{Given: true, At: t0}}}
	link.Merge(into, from)
	var zero []string
	zeroLeaves(reflect.ValueOf(into).Elem(), "Profile", &zero)
	allowed := map[string]bool{
		"Profile.Consents.AlertCoordinator.Given": true, "Profile.Consents.AlertCoordinator.At": true,
		"Profile.Rate.Minute": true, "Profile.Rate.Count": true, // a rate limit, not data
	}
	for _, z := range zero {
		if !allowed[z] {
			t.Errorf("merge lost %s", z)
		}
	}
	if into.ID != "canonical" || into.Consents.KeepScores.At != t0 {
		t.Errorf("merge changed the staying profile's id or consents: %+v", into)
	}
}

func TestMergeCombines(t *testing.T) {
	tg := flows.Identity{Platform: flows.Telegram, ID: "1"}
	sl := flows.Identity{Platform: flows.Slack, ID: "U1"}
	into := &flows.Profile{
		ID: "p1", Identities: []flows.Identity{tg}, Name: "Anna", Lang: "da", TZ: "Europe/Copenhagen",
		Roles: []flows.Role{flows.Mentee}, Onboarded: true, Created: t1, Seen: t1,
		Quiet:    flows.Window{From: 22 * 60, To: 7 * 60},
		Consents: flows.Consents{AlertCoordinator: flows.Consent{Given: true, At: t1}},
		Checkins: flows.CheckinData{Last: t0},
		Lessons:  flows.LessonData{Done: map[string]time.Time{"a1": t1, "a2": t1}},
	}
	from := &flows.Profile{
		ID: "p2", Identities: []flows.Identity{sl}, Name: "Anna B", Lang: "en", TZ: "Europe/London",
		Roles: []flows.Role{flows.Guest, flows.Coordinator}, Onboarded: true, Created: t0, Seen: t2,
		Consents: flows.Consents{KeepScores: flows.Consent{Given: true, At: t0}},
		Checkins: flows.CheckinData{Last: t2, Sealed: "sealed-by-from"},
		Lessons:  flows.LessonData{Done: map[string]time.Time{"a1": t0, "b1": t2}},
	}
	link.Merge(into, from)
	want := &flows.Profile{
		ID: "p1", Identities: []flows.Identity{tg, sl}, Name: "Anna", Lang: "da", TZ: "Europe/Copenhagen",
		Roles: []flows.Role{flows.Coordinator, flows.Mentee}, Onboarded: true, Created: t0, Seen: t2,
		Quiet:    flows.Window{From: 22 * 60, To: 7 * 60},
		Consents: flows.Consents{AlertCoordinator: flows.Consent{Given: true, At: t1}},
		// Scores are not carried to a profile without the consent to keep them.
		Checkins: flows.CheckinData{Last: t2},
		Lessons:  flows.LessonData{Done: map[string]time.Time{"a1": t0, "a2": t1, "b1": t2}},
	}
	if d := cmp.Diff(want, into); d != "" {
		t.Errorf("merge (-want +got):\n%s", d)
	}
	// Merging twice changes nothing more: a link retried after a crash is safe.
	again := *into
	link.Merge(&again, from)
	if d := cmp.Diff(into, &again); d != "" {
		t.Errorf("second merge (-first +second):\n%s", d)
	}
}

func TestMergeTakesSettingsOfTheOnboardedProfile(t *testing.T) {
	into := &flows.Profile{ID: "p1", Lang: "en"}
	from := &flows.Profile{ID: "p2", Lang: "ro", TZ: "Europe/Bucharest", Onboarded: true, DaysOff: []int{0, 6},
		Quiet: flows.Window{From: 60, To: 300}, Roles: []flows.Role{flows.Guest}}
	link.Merge(into, from)
	if !into.Onboarded || into.Lang != "ro" || into.TZ != "Europe/Bucharest" || into.Quiet != from.Quiet || len(into.DaysOff) != 2 {
		t.Errorf("settings not taken from the onboarded profile: %+v", into)
	}
	if !into.Has(flows.Guest) {
		t.Errorf("a guest joining a guest stays a guest: %v", into.Roles)
	}
}

func TestMergeLessons(t *testing.T) {
	into := &flows.Profile{ID: "p1", Lessons: flows.LessonData{
		Current: "a2", Stage: "card", Card: 1, Correct: map[string]bool{"a1": false},
		Practice: []flows.PracticeDue{{Lesson: "a1", Asks: 1}}, Last: t0,
	}}
	from := &flows.Profile{ID: "p2", Lessons: flows.LessonData{
		Current: "b1", Stage: "question", Card: 3, Correct: map[string]bool{"a1": true, "b2": true},
		Practice: []flows.PracticeDue{{Lesson: "a1", Asks: 2}, {Lesson: "b2"}}, Cadence: "weekly", Last: t2,
	}}
	link.Merge(into, from)
	want := flows.LessonData{
		Current: "a2", Stage: "card", Card: 1, Correct: map[string]bool{"a1": false, "b2": true},
		Practice: []flows.PracticeDue{{Lesson: "a1", Asks: 1}, {Lesson: "b2"}}, Cadence: "weekly", Last: t2,
	}
	if d := cmp.Diff(want, into.Lessons); d != "" {
		t.Errorf("lessons (-want +got):\n%s", d)
	}
}
