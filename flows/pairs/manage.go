package pairs

import (
	"strconv"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// Pause lengths offered to mentors, in days; "until I resume" is a year.
var pauseDays = []int{7, 14, 28}

const pauseOpen = 365

// mentoringFlow is /mentoring: site and unit, a mentor's places and pause, and ending a pairing.
func (p *pairing) mentoringFlow() *flows.Flow {
	return &flows.Flow{
		Name: "mentoring", Version: Version, First: "menu", Commands: []string{"mentoring"},
		Menu: "menu.mentoring", MenuOrder: 70,
		Allow: func(pr *flows.Profile) bool { return pr.Has(flows.Mentee) || pr.Has(flows.Mentor) },
		Start: func(c *flows.Ctx) error { c.SetSlot(slotBack, "1"); return nil },
		Steps: p.placeSteps(map[string]flows.Step{
			"menu":        {Ask: p.askMenu, Choose: p.answerMenu},
			"capacity":    {Ask: askCapacity, Choose: answerCapacity},
			"pause":       {Ask: askPause, Choose: answerPause},
			"end_which":   {Ask: askEndWhich, Choose: answerEndWhich},
			"end_confirm": {Ask: askEndConfirm, Choose: answerEndConfirm},
		}),
	}
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// dateOnly renders a day in the user's zone: "Mon 7/12".
func dateOnly(c *flows.Ctx, t time.Time) string {
	l := t.In(c.Profile.Location())
	return c.T("day."+strconv.Itoa(int(l.Weekday()))) + " " + strconv.Itoa(l.Day()) + "/" + strconv.Itoa(int(l.Month()))
}

func (p *pairing) askMenu(c *flows.Ctx) error {
	pr := c.Profile
	m := &pr.Mentoring
	lines := []string{c.T("pair.m_place", "Site", dash(m.Site), "Unit", dash(m.Unit))}
	var names []string
	for _, x := range m.Pairs {
		names = append(names, who(c, x.OtherName, "pair.someone"))
	}
	if pr.Has(flows.Mentor) {
		lines = append(lines, c.T("pair.m_capacity", "Count", len(m.Pairs), "Cap", p.capOf(pr)))
		if m.PausedUntil.After(c.Now) {
			lines = append(lines, c.T("pair.m_paused", "When", dateOnly(c, m.PausedUntil)))
		}
	}
	if len(names) > 0 {
		lines = append(lines, c.T("pair.m_pairs", "Names", strings.Join(names, ", ")))
	}
	rows := [][]flows.Button{flows.Row(flows.Choice(c.T("pair.m_place_btn"), "site"))}
	if pr.Has(flows.Mentor) {
		pause := flows.Choice(c.T("pair.m_pause_btn"), "pause")
		if m.PausedUntil.After(c.Now) {
			pause = flows.Choice(c.T("pair.m_resume_btn"), "resume")
		}
		rows = append(rows, flows.Row(flows.Choice(c.T("pair.m_capacity_btn"), "capacity"), pause))
	}
	last := []flows.Button{flows.Choice(c.T("settings.done"), "done")}
	if len(m.Pairs) > 0 {
		last = append([]flows.Button{flows.Choice(c.T("pair.m_end_btn"), "end")}, last...)
	}
	rows = append(rows, last)
	c.Ask(strings.Join(lines, "\n"), rows...)
	return nil
}

func (p *pairing) answerMenu(c *flows.Ctx, v string) error {
	m := &c.Profile.Mentoring
	mentor := c.Profile.Has(flows.Mentor)
	switch {
	case v == "site":
		c.Goto("site")
	case v == "capacity" && mentor:
		c.Goto("capacity")
	case v == "pause" && mentor:
		c.Goto("pause")
	case v == "resume" && mentor:
		m.PausedUntil = time.Time{}
		pauseTasks(c)
		c.Say(c.T("pair.resumed"))
		c.Goto("menu")
	case v == "end" && len(m.Pairs) > 0:
		c.Goto("end_which")
	case v == "done":
		c.Say(c.T("settings.closed"), c.Menu()...)
		c.Done()
	default:
		c.ReaskButtons()
	}
	return nil
}

func askCapacity(c *flows.Ctx) error {
	var row []flows.Button
	for n := 1; n <= 4; n++ {
		row = append(row, flows.Choice(strconv.Itoa(n), strconv.Itoa(n)))
	}
	c.Ask(c.T("pair.capacity_ask"), row)
	return nil
}

func answerCapacity(c *flows.Ctx, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 4 {
		c.ReaskButtons()
		return nil
	}
	c.Profile.Mentoring.Capacity = n
	c.Say(c.T("settings.saved"))
	c.Goto("menu")
	return nil
}

func askPause(c *flows.Ctx) error {
	var row []flows.Button
	for _, d := range pauseDays {
		row = append(row, flows.Choice(c.N("pair.weeks", d/7), strconv.Itoa(d)))
	}
	c.Ask(c.T("pair.pause_ask"), row, flows.Row(flows.Choice(c.T("pair.pause_open"), strconv.Itoa(pauseOpen))))
	return nil
}

func answerPause(c *flows.Ctx, v string) error {
	d, err := strconv.Atoi(v)
	if err != nil || (d != pauseOpen && d != 7 && d != 14 && d != 28) {
		c.ReaskButtons()
		return nil
	}
	m := &c.Profile.Mentoring
	m.PausedUntil = c.Now.Add(time.Duration(d) * 24 * time.Hour)
	pauseTasks(c)
	if d == pauseOpen {
		c.Say(c.T("pair.paused_open"))
	} else {
		c.Say(c.T("pair.paused", "When", dateOnly(c, m.PausedUntil)))
	}
	c.Goto("menu")
	return nil
}

// pauseTasks tells the mentor's mentees about a pause or its end.
func pauseTasks(c *flows.Ctx) {
	m := &c.Profile.Mentoring
	var until int64
	if m.PausedUntil.After(c.Now) {
		until = m.PausedUntil.Unix()
	}
	for _, x := range m.Pairs {
		if x.Mentor != c.Profile.ID {
			continue
		}
		id := "pair.paused:" + x.ID + ":" + strconv.FormatInt(until, 10) + ":" + strconv.FormatInt(c.Now.Unix(), 10)
		c.Schedule(flows.NewTask(id, x.Mentee, jobPaused, pairArgs{Pair: x.ID, Until: until}))
	}
}

func askEndWhich(c *flows.Ctx) error {
	m := &c.Profile.Mentoring
	if len(m.Pairs) == 1 {
		c.SetSlot("pair", m.Pairs[0].ID)
		c.Goto("end_confirm")
		return nil
	}
	var rows [][]flows.Button
	for _, x := range m.Pairs {
		rows = append(rows, flows.Row(flows.Choice(clip(who(c, x.OtherName, "pair.someone"), 24), x.ID)))
	}
	c.Ask(c.T("pair.end_which"), rows...)
	return nil
}

func answerEndWhich(c *flows.Ctx, v string) error {
	if c.Profile.Mentoring.PairByID(v) < 0 {
		c.ReaskButtons()
		return nil
	}
	c.SetSlot("pair", v)
	c.Goto("end_confirm")
	return nil
}

func askEndConfirm(c *flows.Ctx) error {
	m := &c.Profile.Mentoring
	i := m.PairByID(c.Slot("pair"))
	if i < 0 {
		c.Goto("menu")
		return nil
	}
	c.Ask(c.T("pair.end_confirm", "Name", who(c, m.Pairs[i].OtherName, "pair.someone")), flows.Row(
		flows.Choice(c.T("pair.end_yes"), "yes"), flows.Choice(c.T("pair.end_no"), "no")))
	return nil
}

func answerEndConfirm(c *flows.Ctx, v string) error {
	m := &c.Profile.Mentoring
	i := m.PairByID(c.Slot("pair"))
	switch {
	case v == "no" || i < 0:
		c.Goto("menu")
	case v == "yes":
		name := who(c, m.Pairs[i].OtherName, "pair.someone")
		endPair(c, i, "ended")
		c.Say(c.T("pair.ended_ok", "Name", name))
		c.Done()
	default:
		c.ReaskButtons()
	}
	return nil
}

// endPair ends pair i from this side: the pair and its sessions (with their reminders) go, the other side gets a
// neutral notice, and the coordinator who paired them is told (kind "ended" or "rematch").
func endPair(c *flows.Ctx, i int, kind string) {
	m := &c.Profile.Mentoring
	x := m.Pairs[i]
	other := x.Other(c.Profile.ID)
	dropPairSessions(c, x.ID)
	m.Pairs = append(m.Pairs[:i:i], m.Pairs[i+1:]...)
	now := strconv.FormatInt(c.Now.Unix(), 10)
	c.Schedule(flows.NewTask("pair.ended:"+x.ID+":"+other, other, jobEnded, pairArgs{Pair: x.ID}))
	if x.Coordinator != "" {
		note := pairArgs{Pair: x.ID, Outcome: kind, MenteeName: c.Profile.Name, MentorName: x.OtherName}
		if x.Mentor == c.Profile.ID {
			note.MenteeName, note.MentorName = note.MentorName, note.MenteeName
		}
		c.Schedule(flows.NewTask("pair.note:"+x.ID+":"+kind+":"+now, x.Coordinator, jobEndedNote, note))
	}
}

// dropPairSessions removes the pair's sessions and cancels their reminders.
func dropPairSessions(c *flows.Ctx, pair string) {
	m := &c.Profile.Mentoring
	for i := len(m.Sessions) - 1; i >= 0; i-- {
		if m.Sessions[i].Pair == pair {
			c.Unschedule(m.DropSession(i, c.Profile.ID)...)
		}
	}
}
