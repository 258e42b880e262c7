package onboarding

import (
	"slices"
	"strconv"

	"github.com/m4pris/mentorbot/flows"
)

// askSettings lists what can be changed, with the current values in the text.
func (s *steps) askSettings(c *flows.Ctx) error {
	c.SetSlot(slotSettings, "1")
	p := c.Profile
	onOff := func(b bool) string {
		if b {
			return c.T("settings.on")
		}
		return c.T("settings.off")
	}
	c.Ask(c.T("settings.list",
		"Lang", c.T("lang."+c.Lang()),
		"Scores", onOff(p.Consents.KeepScores.Given),
		"Alerts", onOff(p.Consents.AlertCoordinator.Given),
		"Zone", p.Location().String(),
		"Quiet", formatWindow(p.Quiet, c.T("onb.quiet_none")),
		"DaysOff", daysOff(c),
	),
		flows.Row(flows.Choice(c.T("settings.lang"), "lang"), flows.Choice(c.T("settings.tz"), "tz")),
		flows.Row(flows.Choice(c.T("settings.scores"), "consent_scores"), flows.Choice(c.T("settings.alerts"), "consent_alerts")),
		flows.Row(flows.Choice(c.T("settings.quiet"), "quiet"), flows.Choice(c.T("settings.days_off"), "days_off")),
		flows.Row(flows.Choice(c.T("settings.code"), "code"), flows.Choice(c.T("settings.done"), "done")),
	)
	return nil
}

func (s *steps) answerSettings(c *flows.Ctx, v string) error {
	switch v {
	case "done":
		c.Say(c.T("settings.closed"), c.Menu()...)
		c.Done()
	case "lang", "tz", "consent_scores", "consent_alerts", "quiet", "days_off", "code":
		c.Goto(v)
	default:
		c.ReaskButtons()
	}
	return nil
}

func daysOff(c *flows.Ctx) string {
	if len(c.Profile.DaysOff) == 0 {
		return c.T("settings.days_off_none")
	}
	// Monday first, as the week is counted in Denmark and Romania.
	days := slices.Clone(c.Profile.DaysOff)
	slices.SortFunc(days, func(a, b int) int { return (a+6)%7 - (b+6)%7 })
	out := ""
	for i, d := range days {
		if i > 0 {
			out += ", "
		}
		out += c.T("day." + strconv.Itoa(d))
	}
	return out
}

// askDaysOff offers the weekdays as toggles (Monday first, as both countries count the week).
func (s *steps) askDaysOff(c *flows.Ctx) error {
	var rows [][]flows.Button
	var row []flows.Button
	for _, d := range []int{1, 2, 3, 4, 5, 6, 0} {
		label := c.T("day." + strconv.Itoa(d))
		if slices.Contains(c.Profile.DaysOff, d) {
			label = "✓ " + label
		}
		row = append(row, flows.Choice(label, strconv.Itoa(d)))
		if len(row) == 4 {
			rows, row = append(rows, row), nil
		}
	}
	row = append(row, flows.Choice(c.T("settings.done"), "done"))
	rows = append(rows, row)
	c.Ask(c.T("settings.days_off_ask", "DaysOff", daysOff(c)), rows...)
	return nil
}

func (s *steps) answerDaysOff(c *flows.Ctx, v string) error {
	if v == "done" {
		next(c, "menu")
		return nil
	}
	d, err := strconv.Atoi(v)
	if err != nil || d < 0 || d > 6 {
		c.ReaskButtons()
		return nil
	}
	p := c.Profile
	if i := slices.Index(p.DaysOff, d); i >= 0 {
		p.DaysOff = slices.Delete(p.DaysOff, i, i+1)
	} else {
		p.DaysOff = append(p.DaysOff, d)
		slices.Sort(p.DaysOff)
	}
	c.Goto("days_off")
	return nil
}
