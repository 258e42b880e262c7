package checkin

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
)

// MinGroup is the fewest people a total may describe (k-anonymity): below it, "not enough answers to show".
const MinGroup = 5

// Summary is one instrument's totals for one period, after the MinGroup rule: nothing below is ever about fewer
// than MinGroup people, and no shown number can be subtracted from another to single out a smaller group.
type Summary struct {
	Inst   string
	Period string
	// Shown is false when fewer than MinGroup people checked in; People and the rest are then zero.
	Shown  bool
	People int
	// HasAvg: at least MinGroup of them keep their scores, and Avg is their mean score (0–100, higher = more strain).
	HasAvg bool
	Avg    int
	// Groups break the total down, only when every group that has anyone in it reaches MinGroup (otherwise the
	// small group could be worked out as the total minus the others).
	Groups []GroupSummary
}

// GroupSummary is one group's part of a Summary.
type GroupSummary struct {
	Group  string
	People int
	HasAvg bool
	Avg    int
}

// periods are the buckets a report covers: the last four ISO weeks, or the last three months.
func periods(cadence string, now time.Time) []string {
	var out []string
	for i := range 4 {
		if cadence == "monthly" {
			if i == 3 {
				break
			}
			t := time.Date(now.UTC().Year(), now.UTC().Month(), 1, 12, 0, 0, 0, time.UTC).AddDate(0, -i, 0)
			out = append(out, Period(cadence, t))
			continue
		}
		out = append(out, Period(cadence, now.AddDate(0, 0, -7*i)))
	}
	return out
}

// Summaries reads the totals of every instrument for the recent periods and applies the MinGroup rule. The
// coordinator report uses it, and so can the weekly digest.
func Summaries(ctx context.Context, s Store, insts *content.Instruments, now time.Time) ([]Summary, error) {
	var out []Summary
	for _, in := range insts.List {
		for _, period := range periods(in.Cadence, now) {
			t, err := s.Tallies(ctx, period, in.ID)
			if err != nil {
				return nil, fmt.Errorf("read totals: %w", err)
			}
			out = append(out, Summarize(in.ID, period, t))
		}
	}
	return out, nil
}

// Summarize applies the MinGroup rule to one period's group totals.
func Summarize(inst, period string, tallies map[string]Tally) Summary {
	s := Summary{Inst: inst, Period: period}
	var total Tally
	var groups []string
	for g, t := range tallies {
		if t.People > 0 {
			groups = append(groups, g)
		}
		total.People += t.People
		total.Scored += t.Scored
		total.Sum += t.Sum
	}
	if total.People < MinGroup {
		return s
	}
	s.Shown, s.People = true, total.People
	if total.Scored >= MinGroup {
		s.HasAvg, s.Avg = true, int(math.Round(total.Sum/float64(total.Scored)))
	}
	if len(groups) < 2 {
		return s
	}
	sort.Strings(groups)
	avgs := true
	for _, g := range groups {
		t := tallies[g]
		if t.People < MinGroup {
			return s
		}
		if t.Scored > 0 && t.Scored < MinGroup {
			avgs = false
		}
	}
	for _, g := range groups {
		t := tallies[g]
		gs := GroupSummary{Group: g, People: t.People}
		if avgs && t.Scored >= MinGroup {
			gs.HasAvg, gs.Avg = true, int(math.Round(t.Sum/float64(t.Scored)))
		}
		s.Groups = append(s.Groups, gs)
	}
	return s
}

// reportAction is the coordinators' /wellbeing: totals only, under the MinGroup rule. There is deliberately no
// command that shows one person's answers or scores.
func (m *Module) reportAction() *flows.Action {
	return &flows.Action{
		Name: "wellbeing", Commands: []string{"wellbeing"}, Allow: isCoordinator,
		Menu: "menu.wellbeing", MenuOrder: 65,
		Run: m.report,
	}
}

func (m *Module) report(c *flows.Ctx) error {
	sums, err := Summaries(c.Context(), m.d.Store, m.d.Instruments, c.Now)
	if err != nil {
		return fmt.Errorf("wellbeing totals: %w", err)
	}
	var b strings.Builder
	b.WriteString(c.T("report.title", "Min", MinGroup))
	last := ""
	for _, s := range sums {
		in := m.d.Instruments.Get(s.Inst)
		if s.Inst != last {
			b.WriteString("\n\n" + in.Name.In(c.Lang()))
			last = s.Inst
		}
		b.WriteString("\n" + reportLine(c, in, s))
	}
	var rows [][]flows.Button
	if r := flows.ResumeButton(c); r != nil {
		rows = append(rows, r)
	}
	c.Say(b.String(), rows...)
	return nil
}

func reportLine(c *flows.Ctx, in *content.Instrument, s Summary) string {
	period := c.T("report.month", "Month", s.Period)
	if in.Cadence != "monthly" {
		period = c.T("report.week", "Week", strings.TrimLeft(s.Period[strings.Index(s.Period, "W")+1:], "0"))
	}
	if !s.Shown {
		return c.T("report.too_few", "Period", period)
	}
	line := c.N("report.people", s.People, "Period", period)
	if s.HasAvg {
		line += ", " + c.T("report.avg", "Avg", s.Avg)
	} else {
		line += ", " + c.T("report.no_avg")
	}
	for _, g := range s.Groups {
		name := c.T("group." + g.Group)
		if name == "group."+g.Group {
			name = g.Group // a group the texts do not name (a site): shown as it is
		}
		line += "\n    " + c.N("report.group", g.People, "Group", name)
		if g.HasAvg {
			line += ", " + c.T("report.avg", "Avg", g.Avg)
		}
	}
	return line
}
