package sessions

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// Limits on reminder settings.
const (
	maxReminders   = 4
	maxReminderMin = 7 * 24 * 60
)

// reminderChoices are the lead times offered as toggles.
var reminderChoices = []int{24 * 60, 60, 15}

// remindersFlow is /reminders: which reminders come before a session. A change applies to sessions already
// confirmed too: their old reminders are removed and the new ones scheduled.
func remindersFlow() *flows.Flow {
	return &flows.Flow{
		Name: "sesreminders", Version: Version, First: "list", Commands: []string{"reminders"},
		Menu: "menu.reminders", MenuOrder: 85,
		Steps: map[string]flows.Step{"list": {Ask: askReminders, Answer: answerReminders}},
	}
}

func askReminders(c *flows.Ctx) error {
	cur := c.Profile.Nudges.SessionReminders()
	var row []flows.Button
	for _, m := range reminderChoices {
		label := Before(c, m)
		if slices.Contains(cur, m) {
			label = "✓ " + label
		}
		row = append(row, flows.Choice(label, strconv.Itoa(m)))
	}
	c.Ask(c.T("ses.reminders_ask", "Reminders", beforeList(c, cur)), row,
		flows.Row(flows.Choice(c.T("ses.reminders_none"), "none"), flows.Choice(c.T("settings.done"), "done")))
	return nil
}

func answerReminders(c *flows.Ctx) error {
	cur := slices.Clone(c.Profile.Nudges.SessionReminders())
	v, ok := c.Choice()
	switch {
	case ok && v == "done":
		c.Say(c.T("ses.reminders_saved", "Reminders", reminderNote(c, cur)))
		c.Done()
		return nil
	case ok && v == "none":
		cur = []int{}
	case ok:
		m, err := strconv.Atoi(v)
		if err != nil || !slices.Contains(reminderChoices, m) {
			c.ReaskButtons()
			return nil
		}
		if i := slices.Index(cur, m); i >= 0 {
			cur = slices.Delete(cur, i, i+1)
		} else {
			cur = append(cur, m)
		}
	default:
		m, okText := parseLead(c.Text())
		if !okText {
			c.Reask(c.T("ses.reminders_bad"))
			return nil
		}
		if !slices.Contains(cur, m) {
			if len(cur) >= maxReminders {
				c.Reask(c.T("ses.reminders_many", "Max", maxReminders))
				return nil
			}
			cur = append(cur, m)
		}
	}
	slices.Sort(cur)
	slices.Reverse(cur)
	c.Profile.Nudges.Reminders = cur
	rescheduleAll(c)
	c.Goto("list")
	return nil
}

// rescheduleAll moves the reminders of every confirmed session and group session to the current settings.
func rescheduleAll(c *flows.Ctx) {
	m := &c.Profile.Mentoring
	pid := c.Profile.ID
	for i := range m.Sessions {
		s := &m.Sessions[i]
		if s.Status != flows.SessionConfirmed || !s.At.After(c.Now) {
			continue
		}
		for _, r := range s.Reminders {
			c.Unschedule(flows.ReminderTaskID(s.ID, pid, r))
		}
		scheduleReminders(c, s)
	}
	for i := range m.Groups {
		g := &m.Groups[i]
		if g.Going != "yes" || !g.At.After(c.Now) {
			continue
		}
		for _, r := range g.Reminders {
			c.Unschedule(flows.ReminderTaskID(g.ID, pid, r))
		}
		scheduleGroupReminders(c, g)
	}
}

// parseLead reads a typed lead time: "30" (minutes), "30 min", "2h", "2 timer", "1 day", "1 zi", "1 dag".
func parseLead(s string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(s[:i])
	if err != nil || n <= 0 {
		return 0, false
	}
	unit := strings.TrimSpace(s[i:])
	mult := 0
	switch {
	case unit == "" || strings.HasPrefix(unit, "m"):
		mult = 1 // minutes, min, minutter, minute
	case strings.HasPrefix(unit, "h") || strings.HasPrefix(unit, "t") || strings.HasPrefix(unit, "or"):
		mult = 60 // hours, h, timer, t, ore, oră
	case strings.HasPrefix(unit, "d") || strings.HasPrefix(unit, "z"):
		mult = 24 * 60 // days, dag(e), zi, zile
	default:
		return 0, false
	}
	m := n * mult
	if m > maxReminderMin {
		return 0, false
	}
	return m, true
}

// Snooze lengths offered, in days; /snooze N takes 1–30.
var snoozeDays = []int{1, 3, 7, 14}

// snoozeAction is /snooze: no nudges for N days (session reminders the user asked for still come).
func snoozeAction() *flows.Action {
	return &flows.Action{
		Name: "snooze", Commands: []string{"snooze"}, Menu: "menu.snooze", MenuOrder: 86,
		Run: func(c *flows.Ctx) error {
			n := &c.Profile.Nudges
			a := strings.Fields(c.Event.Args)
			if len(a) == 0 {
				row := make([]flows.Button, 0, len(snoozeDays))
				for _, d := range snoozeDays {
					row = append(row, flows.ActionButton(c.N("ses.days", d), "snooze", strconv.Itoa(d)))
				}
				rows := [][]flows.Button{row}
				text := c.T("ses.snooze_ask")
				if n.SnoozeUntil.After(c.Now) {
					text = c.T("ses.snoozed_until", "When", When(c, n.SnoozeUntil)) + "\n\n" + text
					rows = append(rows, flows.Row(flows.ActionButton(c.T("ses.snooze_off"), "snooze", "off")))
				}
				c.Say(text, rows...)
				return nil
			}
			c.ClosePressed()
			if a[0] == "off" {
				n.SnoozeUntil = time.Time{}
				c.Say(c.T("ses.snooze_ended"))
				return nil
			}
			d, err := strconv.Atoi(a[0])
			if err != nil || d < 1 || d > 30 {
				c.Say(c.T("ses.snooze_bad"))
				return nil
			}
			n.SnoozeUntil = c.Now.Add(time.Duration(d) * 24 * time.Hour)
			c.Say(c.T("ses.snoozed", "When", When(c, n.SnoozeUntil)))
			return nil
		},
	}
}
