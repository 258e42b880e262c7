package checkin

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
)

func instruments(t *testing.T) (cbi, pulse *content.Instrument) {
	t.Helper()
	set := content.MustInstruments()
	return set.Get("cbi-work"), set.Get("pulse")
}

func cbiAnswers(values ...int) Answers {
	a := Answers{}
	for i, v := range values {
		if v != 0 {
			a["w"+string(rune('1'+i))] = v
		}
	}
	return a
}

// TestCBIScoring checks the published scoring of the CBI work-related scale: answers score 100/75/50/25/0, the
// item on energy for family and friends (7) is reversed, the scale score is the mean of the answered items, and
// fewer than four answers give no score. Option value 1 is the first answer offered ("to a very high degree",
// "always"); 0 below means skipped.
func TestCBIScoring(t *testing.T) {
	cbi, _ := instruments(t)
	mentee := &flows.Profile{Roles: []flows.Role{flows.Mentee}}
	items := ItemsFor(cbi, mentee)
	for _, c := range []struct {
		name     string
		answers  Answers
		want     float64
		answered int
		ok       bool
	}{
		{"all first answers, item 7 always (reversed to 0)", cbiAnswers(1, 1, 1, 1, 1, 1, 1), 85.7, 7, true}, // 600/7
		{"all last answers, item 7 never (reversed to 100)", cbiAnswers(5, 5, 5, 5, 5, 5, 5), 14.3, 7, true}, // 100/7
		{"all middle answers", cbiAnswers(3, 3, 3, 3, 3, 3, 3), 50, 7, true},                                 // 350/7
		{"each score once, item 7 often (75 → 25)", cbiAnswers(1, 2, 3, 4, 5, 2, 2), 50, 7, true},            // 350/7
		{"the local chat's example", cbiAnswers(1, 1, 2, 2, 3, 3, 5), 78.6, 7, true},                         // 550/7
		{"four answered is enough", cbiAnswers(1, 1, 3, 0, 0, 0, 5), 87.5, 4, true},                          // 350/4
		{"three answered is a non-responder", cbiAnswers(1, 1, 1, 0, 0, 0, 0), 0, 3, false},                  // rule: < 4
		{"an unknown value counts as unanswered", cbiAnswers(1, 1, 1, 9, 0, 0, 0), 0, 3, false},              // 9 is no option
		{"nothing answered", Answers{}, 0, 0, false},                                                         //
		{"only item 7, never", cbiAnswers(0, 0, 0, 0, 0, 0, 5), 0, 1, false},                                 //
		{"items 4–7 all always", cbiAnswers(0, 0, 0, 1, 1, 1, 1), 75, 4, true},                               // 300/4
	} {
		t.Run(c.name, func(t *testing.T) {
			got, n, ok := Score(cbi, items, c.answers)
			if got != c.want || n != c.answered || ok != c.ok {
				t.Fatalf("Score = %v, %d, %v; want %v, %d, %v", got, n, ok, c.want, c.answered, c.ok)
			}
		})
	}
}

func TestPulseScoringAndMentorItem(t *testing.T) {
	_, pulse := instruments(t)
	mentee := &flows.Profile{Roles: []flows.Role{flows.Mentee}}
	mentor := &flows.Profile{Roles: []flows.Role{flows.Mentor}}
	if n := len(ItemsFor(pulse, mentee)); n != 3 {
		t.Fatalf("a mentee gets %d pulse items, want 3", n)
	}
	items := ItemsFor(pulse, mentor)
	if len(items) != 4 || items[3].ID != "strain" {
		t.Fatalf("a mentor gets the strain item last: %d items", len(items))
	}
	// Mood 1 = very low (100), stress 5 = very high (100), energy 3 (50), strain 4 = heavy (75).
	got, _, ok := Score(pulse, items, Answers{"mood": 1, "stress": 5, "energy": 3, "strain": 4})
	if !ok || got != 81.3 {
		t.Fatalf("pulse score %v %v, want 81.3", got, ok)
	}
	if _, _, ok := Score(pulse, items, Answers{"mood": 1}); ok {
		t.Fatal("one answer gave a pulse score (min_answered is 2)")
	}
}

func TestAlertRules(t *testing.T) {
	cbi, pulse := instruments(t)
	p := &flows.Profile{Roles: []flows.Role{flows.Mentee}}
	ci, pi := ItemsFor(cbi, p), ItemsFor(pulse, p)
	for _, c := range []struct {
		name  string
		in    *content.Instrument
		items []content.Item
		a     Answers
		score float64
		prev  []float64
		want  bool
	}{
		{"CBI first result ≥ 50: not yet", cbi, ci, nil, 60, nil, false},
		{"CBI ≥ 50 twice in a row", cbi, ci, nil, 55, []float64{50}, true},
		{"CBI ≥ 50 after one below 50, small rise", cbi, ci, nil, 55, []float64{48}, false},
		{"CBI ≥ 50 twice, not in a row", cbi, ci, nil, 55, []float64{70, 48}, false},
		{"CBI rise of 15 into the heavy half", cbi, ci, nil, 60, []float64{45}, true},
		{"CBI rise of 25 that stays below 50", cbi, ci, nil, 45, []float64{20}, false},
		{"CBI rise of 9.9", cbi, ci, nil, 59.8, []float64{49.9}, false},
		{"CBI fall", cbi, ci, nil, 49.9, []float64{60}, false},
		{"pulse very high stress and very low mood", pulse, pi, Answers{"mood": 1, "stress": 5}, 100, nil, true},
		{"pulse high stress and very low mood", pulse, pi, Answers{"mood": 1, "stress": 4}, 87.5, nil, false},
		{"pulse very high stress, mood skipped", pulse, pi, Answers{"stress": 5, "energy": 1}, 100, nil, false},
		{"pulse rise of 10 into the heavy half", pulse, pi, Answers{"mood": 2, "stress": 4, "energy": 3}, 66.7, []float64{50}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Worrying(c.in, c.items, c.a, c.score, c.prev); got != c.want {
				t.Fatalf("Worrying = %v, want %v", got, c.want)
			}
		})
	}
}

func TestSummarizeMinGroup(t *testing.T) {
	for _, c := range []struct {
		name string
		in   map[string]Tally
		want Summary
	}{
		{"four people: nothing", map[string]Tally{"DK": {People: 4, Scored: 4, Sum: 200}},
			Summary{}},
		{"five people, five scores", map[string]Tally{"DK": {People: 5, Scored: 5, Sum: 251}},
			Summary{Shown: true, People: 5, HasAvg: true, Avg: 50}},
		{"six people, four scores: no average", map[string]Tally{"DK": {People: 6, Scored: 4, Sum: 300}},
			Summary{Shown: true, People: 6}},
		{"a small group is not shown beside the total", map[string]Tally{"DK": {People: 5, Scored: 5, Sum: 250}, "RO": {People: 1, Scored: 1, Sum: 90}},
			Summary{Shown: true, People: 6, HasAvg: true, Avg: 57}},
		{"two groups of five", map[string]Tally{"DK": {People: 5, Scored: 5, Sum: 250}, "RO": {People: 6, Scored: 5, Sum: 400}},
			Summary{Shown: true, People: 11, HasAvg: true, Avg: 65, Groups: []GroupSummary{
				{Group: "DK", People: 5, HasAvg: true, Avg: 50}, {Group: "RO", People: 6, HasAvg: true, Avg: 80}}}},
		{"group averages only if no group's scores are few", map[string]Tally{"DK": {People: 5, Scored: 5, Sum: 250}, "RO": {People: 6, Scored: 2, Sum: 160}},
			Summary{Shown: true, People: 11, HasAvg: true, Avg: 59, Groups: []GroupSummary{
				{Group: "DK", People: 5}, {Group: "RO", People: 6}}}},
		{"empty groups do not count", map[string]Tally{"DK": {People: 5, Scored: 5, Sum: 250}, "RO": {}},
			Summary{Shown: true, People: 5, HasAvg: true, Avg: 50}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.want.Inst, c.want.Period = "i", "p"
			if d := cmp.Diff(c.want, Summarize("i", "p", c.in)); d != "" {
				t.Fatalf("(-want +got)\n%s", d)
			}
		})
	}
}

func TestPeriods(t *testing.T) {
	now := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC) // ISO week 1 of 2026
	if d := cmp.Diff([]string{"2026-W01", "2025-W52", "2025-W51", "2025-W50"}, periods("weekly", now)); d != "" {
		t.Error(d)
	}
	if d := cmp.Diff([]string{"2026-01", "2025-12", "2025-11"}, periods("monthly", now)); d != "" {
		t.Error(d)
	}
}

func TestNextSlotAcrossDST(t *testing.T) {
	p := &flows.Profile{TZ: "Europe/Copenhagen"}
	cph, _ := time.LoadLocation("Europe/Copenhagen")
	for _, c := range []struct{ now, want time.Time }{
		// Thursday before the slot: the same evening.
		{time.Date(2026, 3, 26, 18, 0, 0, 0, cph), time.Date(2026, 3, 26, 18, 30, 0, 0, cph)},
		// At the slot: next week, which is after the change to summer time (29 March): still 18:30 local.
		{time.Date(2026, 3, 26, 18, 30, 0, 0, cph), time.Date(2026, 4, 2, 18, 30, 0, 0, cph)},
		// Back to winter time on 25 October.
		{time.Date(2026, 10, 23, 9, 0, 0, 0, cph), time.Date(2026, 10, 29, 18, 30, 0, 0, cph)},
	} {
		got := nextSlot(p, c.now)
		if !got.Equal(c.want) {
			t.Errorf("nextSlot(%v) = %v, want %v", c.now, got, c.want)
		}
	}
	if got := nextSlot(p, time.Date(2026, 3, 26, 18, 30, 0, 0, cph)).UTC().Hour(); got != 16 {
		t.Errorf("18:30 summer time is 16:30 UTC, got hour %d", got)
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]int{"18:30": 1110, "7.15": 435, "0715": 435, "21": 1260, " 9:05 ": 545} {
		if got, ok := parseClock(in); !ok || got != want {
			t.Errorf("parseClock(%q) = %d %v, want %d", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "25:00", "18:61", "18:3", "evening", "-1", "123"} {
		if _, ok := parseClock(bad); ok {
			t.Errorf("parseClock(%q) accepted", bad)
		}
	}
}

func TestSparklineAndPurge(t *testing.T) {
	if got := Sparkline([]float64{0, 14.3, 50, 78.6, 100}); got != "▁▂▅▇█" {
		t.Errorf("Sparkline = %q", got)
	}
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	h := History{{At: now.AddDate(-1, 0, -1), Inst: "a", Score: 1}, {At: now.AddDate(0, -11, 0), Inst: "a", Score: 2}, {At: now, Inst: "b", Score: 3}}
	got := h.Purge(now.AddDate(-1, 0, 0))
	if len(got) != 2 || got[0].Score != 2 || len(h) != 3 {
		t.Fatalf("purge: %+v (original %d)", got, len(h))
	}
	if d := cmp.Diff([]float64{2}, got.Scores("a")); d != "" {
		t.Error(d)
	}
}
