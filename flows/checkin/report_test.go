package checkin_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
)

// individual matches what one person's results look like in text: the two scores used below (78.6 → 79 and
// 32.1 → 32) and the sparkline bars.
var individual = regexp.MustCompile(`\b(79|32)\b|78[.,][56]|32[.,]1|[▁▂▃▄▅▆▇█]`)

// TestTotalsNeedFive: the report shows nothing for four people, then participation and the average from five.
func TestTotalsNeedFive(t *testing.T) {
	e := newEnv(t, "coord")
	for i := range 5 {
		u := fmt.Sprintf("m%d", i)
		e.join(u, flows.Mentee, true, false)
		e.checkin(u, "cbi", worrying...)
		got := flowtest.Text(e.Say("coord", "/wellbeing"))
		if i < 4 {
			if !strings.Contains(got, "not enough answers to show") || strings.Contains(got, "checked in") {
				t.Fatalf("%d people:\n%s", i+1, got)
			}
			continue
		}
		if !strings.Contains(got, "5 people checked in, average 79 of 100") {
			t.Fatalf("5 people:\n%s", got)
		}
	}
	// A second check-in in the same month does not count the same person twice.
	e.checkin("m0", "cbi", worrying...)
	if got := flowtest.Text(e.Say("coord", "/wellbeing")); !strings.Contains(got, "5 people checked in") {
		t.Fatalf("counted twice:\n%s", got)
	}
}

// TestNoCoordinatorCommandShowsAnIndividual tries every command a coordinator can type, with likely arguments,
// and presses every button each reply offers: no reply carries a person's score, answers or trend.
func TestNoCoordinatorCommandShowsAnIndividual(t *testing.T) {
	e := newEnv(t, "coord")
	// Five who keep scores (four at 78.6, one at 32.1) and one who does not: the report may show their average
	// (69.3 → 69), never one person's number.
	for i := range 5 {
		u := fmt.Sprintf("k%d", i)
		e.join(u, flows.Mentee, true, true)
		answers := worrying
		if i == 4 {
			answers = []int{4, 4, 4, 4, 4, 4, 4}
		}
		e.checkin(u, "cbi", answers...)
		e.checkin(u, "pulse", 1, 5, 1)
	}
	e.join("nokeep", flows.Mentee, false, false)
	e.checkin("nokeep", "cbi", worrying...)
	e.Inbox("coord")

	var seen []string
	try := func(what string, rs []flows.Reply) {
		text := withButtons(rs)
		seen = append(seen, text)
		if m := individual.FindString(text); m != "" {
			t.Errorf("%s shows %q:\n%s", what, m, text)
		}
	}
	for _, cmd := range e.Engine.Commands() {
		if cmd == "forget" {
			continue // erases the coordinator's own data; shows nobody's
		}
		for _, args := range []string{"", " all", " cbi", " pulse", " k0", " trend", " report", " export"} {
			rs := e.Say("coord", "/"+cmd+args)
			try("/"+cmd+args, rs)
			for _, r := range rs {
				for _, row := range r.Buttons {
					for _, b := range row {
						if strings.Contains(b.Label, "erase") {
							continue
						}
						try("/"+cmd+args+" → "+b.Label, e.Send("coord", flows.Event{Payload: b.Data}))
					}
				}
			}
			e.Say("coord", "/cancel")
		}
	}
	try("deliveries", e.Inbox("coord"))
	// The report did run and show the group's numbers, so the search above looked at real output.
	joined := strings.Join(seen, "\n")
	for _, want := range []string{"6 people checked in, average 69 of 100", "5 people checked in, average"} {
		if !strings.Contains(joined, want) {
			t.Fatalf("report lacks %q; replies:\n%s", want, joined)
		}
	}
}
