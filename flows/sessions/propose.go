package sessions

import (
	"strconv"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// Slots of the session flow.
const (
	slotPair    = "pair"
	slotReplace = "replace"
	slotDay     = "day" // yyyymmdd in the user's zone
	slotAt      = "at"  // Unix seconds
)

// sessionFlow is /session: see the next session with a partner, or propose, move or cancel one.
func sessionFlow() *flows.Flow {
	return &flows.Flow{
		Name: "session", Version: Version, First: "who", Commands: []string{"session"},
		Menu: "menu.session", MenuOrder: 20,
		Start: startSession,
		Steps: map[string]flows.Step{
			"who":     {Ask: askWho, Choose: answerWho},
			"open":    {Ask: askOpen, Choose: answerOpen},
			"day":     {Ask: askDay, Answer: answerDay},
			"time":    {Ask: askTime, Answer: answerTime},
			"confirm": {Ask: askConfirm, Choose: answerConfirm},
		},
	}
}

func startSession(c *flows.Ctx) error {
	m := &c.Profile.Mentoring
	if !hasPair(c.Profile) {
		c.Say(c.T("ses.no_pair"))
		c.Done()
		return nil
	}
	// "Another time" under a proposal: start at the day, replacing that session.
	if a := args(c); len(a) == 1 {
		if i := m.SessionByID(a[0]); i >= 0 {
			c.SetSlot(slotPair, m.Sessions[i].Pair)
			c.SetSlot(slotReplace, m.Sessions[i].ID)
			c.Goto("day")
			return nil
		}
	}
	if len(m.Pairs) == 1 {
		c.SetSlot(slotPair, m.Pairs[0].ID)
		c.Goto("open")
	}
	return nil
}

func askWho(c *flows.Ctx) error {
	var rows [][]flows.Button
	for _, p := range c.Profile.Mentoring.Pairs {
		rows = append(rows, flows.Row(flows.Choice(clip(partner(c, p.OtherName), 24), p.ID)))
	}
	c.Ask(c.T("ses.who"), rows...)
	return nil
}

func answerWho(c *flows.Ctx, v string) error {
	if c.Profile.Mentoring.PairByID(v) < 0 {
		c.ReaskButtons() // the pair ended since the question was asked
		return nil
	}
	c.SetSlot(slotPair, v)
	c.Goto("open")
	return nil
}

// pairOf returns the pair named by the flow's slot; nil if it ended meanwhile.
func pairOf(c *flows.Ctx) *flows.Pair {
	m := &c.Profile.Mentoring
	if i := m.PairByID(c.Slot(slotPair)); i >= 0 {
		return &m.Pairs[i]
	}
	return nil
}

// openSession returns the index of the pair's upcoming session (proposed, asked or confirmed), or -1.
func openSession(m *flows.MentoringData, pair string, now time.Time) int {
	for i, s := range m.Sessions {
		if s.Pair == pair && s.Status != flows.SessionFollowUp && s.At.After(now) {
			return i
		}
	}
	return -1
}

func askOpen(c *flows.Ctx) error {
	p := pairOf(c)
	if p == nil {
		c.Say(c.T("core.stale"))
		c.Done()
		return nil
	}
	m := &c.Profile.Mentoring
	i := openSession(m, p.ID, c.Now)
	if i < 0 {
		c.Goto("day")
		return nil
	}
	s := m.Sessions[i]
	c.SetSlot(slotReplace, s.ID)
	name, when := partner(c, p.OtherName), When(c, s.At)
	switch s.Status {
	case flows.SessionConfirmed:
		c.Ask(c.T("ses.open_confirmed", "Name", name, "When", when),
			flows.Row(flows.Choice(c.T("ses.move"), "move"), flows.Choice(c.T("ses.cancel"), "cancel")),
			flows.Row(flows.Choice(c.T("ses.keep"), "keep")))
	case flows.SessionProposed:
		c.Ask(c.T("ses.open_proposed", "Name", name, "When", when),
			flows.Row(flows.Choice(c.T("ses.other_time"), "move"), flows.Choice(c.T("ses.withdraw"), "cancel")),
			flows.Row(flows.Choice(c.T("ses.keep"), "keep")))
	default:
		c.Ask(c.T("ses.open_asked", "Name", name, "When", when),
			flows.Row(flows.Choice(c.T("ses.yes"), "yes"), flows.Choice(c.T("ses.no"), "no")),
			flows.Row(flows.Choice(c.T("ses.other_time"), "move")))
	}
	return nil
}

func answerOpen(c *flows.Ctx, v string) error {
	m := &c.Profile.Mentoring
	i := m.SessionByID(c.Slot(slotReplace))
	if i < 0 {
		c.Say(c.T("core.stale"))
		c.Done()
		return nil
	}
	switch v {
	case "move":
		c.Goto("day")
	case "cancel":
		cancelSession(c, i)
		c.Done()
	case "keep":
		c.Say(c.T("ses.kept"))
		c.Done()
	case "yes":
		if m.Sessions[i].Status == flows.SessionAsked {
			confirmSession(c, i)
		}
		c.Done()
	case "no":
		if m.Sessions[i].Status == flows.SessionAsked {
			declineSession(c, i)
		}
		c.Done()
	default:
		c.ReaskButtons()
	}
	return nil
}

// Days offered as buttons.
const dayButtons = 14

func askDay(c *flows.Ctx) error {
	loc := c.Profile.Location()
	today := c.Now.In(loc)
	var rows [][]flows.Button
	var row []flows.Button
	for i := range dayButtons {
		d := today.AddDate(0, 0, i)
		var label string
		switch i {
		case 0:
			label = c.T("ses.today")
		case 1:
			label = c.T("ses.tomorrow")
		default:
			label = c.T("day."+strconv.Itoa(int(d.Weekday()))) + " " + strconv.Itoa(d.Day()) + "/" + strconv.Itoa(int(d.Month()))
		}
		row = append(row, flows.Choice(label, d.Format("20060102")))
		if len(row) == 3 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	if c.State.Flow == groupFlowName {
		c.Ask(c.T("grp.day_ask"), rows...)
		return nil
	}
	c.Ask(c.T("ses.day_ask", "Name", partner(c, pairName(c))), rows...)
	return nil
}

func pairName(c *flows.Ctx) string {
	if p := pairOf(c); p != nil {
		return p.OtherName
	}
	return ""
}

func answerDay(c *flows.Ctx) error {
	loc := c.Profile.Location()
	if v, ok := c.Choice(); ok {
		if _, err := time.ParseInLocation("20060102", v, loc); err != nil {
			c.ReaskButtons()
			return nil
		}
		c.SetSlot(slotDay, v)
		c.Goto("time")
		return nil
	}
	t, status := ParseWhen(c.Text(), c.Now, loc)
	if status == whenUnreadable {
		// A day without a time ("tomorrow", "3/12"): ask the time next.
		if y, mo, d, _, ok := parseDay(tokens(c.Text()), c.Now.In(loc)); ok {
			day := time.Date(y, mo, d, 0, 0, 0, 0, loc)
			if day.Before(time.Date(c.Now.In(loc).Year(), c.Now.In(loc).Month(), c.Now.In(loc).Day(), 0, 0, 0, 0, loc)) {
				day = day.AddDate(1, 0, 0)
			}
			c.SetSlot(slotDay, day.Format("20060102"))
			c.Goto("time")
			return nil
		}
	}
	if !whenFits(c, t, status) {
		return nil
	}
	c.SetSlot(slotAt, itoa(t))
	c.Goto("confirm")
	return nil
}

// whenFits re-asks with the reason when a typed time cannot be used.
func whenFits(c *flows.Ctx, t time.Time, status int) bool {
	switch status {
	case whenOK:
		return true
	case whenPast:
		c.Reask(c.T("ses.past", "When", When(c, t)))
	case whenTooFar:
		c.Reask(c.T("ses.too_far"))
	default:
		c.Reask(c.T("ses.unreadable"))
	}
	return false
}

// Times offered as buttons.
var timeButtons = []string{"08:00", "10:00", "12:00", "14:00", "16:00", "18:00", "20:00"}

func askTime(c *flows.Ctx) error {
	loc := c.Profile.Location()
	day, err := time.ParseInLocation("20060102", c.Slot(slotDay), loc)
	if err != nil {
		c.Goto("day")
		return nil
	}
	var rows [][]flows.Button
	var row []flows.Button
	for _, hm := range timeButtons {
		h, m, _ := parseClock(hm)
		if !time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc).After(c.Now) {
			continue
		}
		row = append(row, flows.Choice(hm, hm))
		if len(row) == 4 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	label := c.T("day."+strconv.Itoa(int(day.Weekday()))) + " " + strconv.Itoa(day.Day()) + "/" + strconv.Itoa(int(day.Month()))
	c.Ask(c.T("ses.time_ask", "Day", label), rows...)
	return nil
}

func answerTime(c *flows.Ctx) error {
	loc := c.Profile.Location()
	day, err := time.ParseInLocation("20060102", c.Slot(slotDay), loc)
	if err != nil {
		c.Goto("day")
		return nil
	}
	text, _ := c.Choice()
	if text == "" {
		text = c.Text()
	}
	var t time.Time
	status := whenUnreadable
	if toks := tokens(text); len(toks) == 1 {
		if h, m, ok := parseClock(toks[0]); ok {
			t = time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
			status = whenOK
			if !t.After(c.Now) {
				status = whenPast
			}
		}
	} else if len(toks) > 1 {
		t, status = ParseWhen(text, c.Now, loc) // a full "tomorrow 15:30" works here too
	}
	if !whenFits(c, t, status) {
		return nil
	}
	c.SetSlot(slotAt, itoa(t))
	c.Goto("confirm")
	return nil
}

func askConfirm(c *flows.Ctx) error {
	at, _ := unix(c.Slot(slotAt))
	c.Ask(c.T("ses.confirm_ask", "Name", partner(c, pairName(c)), "When", When(c, at)),
		flows.Row(flows.Choice(c.T("ses.send"), "send"), flows.Choice(c.T("ses.change"), "change")))
	return nil
}

func answerConfirm(c *flows.Ctx, v string) error {
	switch v {
	case "send":
		propose(c)
	case "change":
		c.Goto("day")
	default:
		c.ReaskButtons()
	}
	return nil
}

// propose records the proposal and sends it to the other side, replacing the pair's open session if any.
func propose(c *flows.Ctx) {
	p := pairOf(c)
	at, ok := unix(c.Slot(slotAt))
	if p == nil || !ok {
		c.Say(c.T("core.stale"))
		c.Done()
		return
	}
	if !at.After(c.Now) {
		c.SetSlot(slotDay, "")
		c.Say(c.T("ses.past", "When", When(c, at)))
		c.Goto("day")
		return
	}
	m := &c.Profile.Mentoring
	pid := c.Profile.ID
	old := ""
	if i := openSession(m, p.ID, c.Now); i >= 0 {
		old = m.Sessions[i].ID
		c.Unschedule(m.DropSession(i, pid)...)
	}
	sid := flows.ShortID(pid, p.ID, c.Event.ID, itoa(at), itoa(c.Now))
	m.Sessions = append(m.Sessions, flows.Session{ID: sid, Pair: p.ID, With: p.Other(pid), WithName: p.OtherName, At: at, Status: flows.SessionProposed})
	c.Schedule(flows.NewTask("proposed:"+sid, p.Other(pid), jobProposed, sessionArgs{Session: sid, Pair: p.ID, At: at.Unix(), Replaces: old}))
	c.Say(c.T("ses.sent", "Name", partner(c, p.OtherName), "When", When(c, at)))
	c.Done()
}

// clip shortens s to n runes for a button label.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
