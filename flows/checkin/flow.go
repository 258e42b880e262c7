package checkin

import (
	"strconv"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/safety"
)

// Slots of the check-in conversation. The answers given so far are sealed like kept results, so nothing a person
// answered is readable in Redis even while the check-in is open.
const (
	slotInst    = "inst" // instrument id
	slotIdx     = "i"    // index of the current item
	slotAnswers = "a"    // sealed Answers
	slotEdit    = "e"    // "1" while changing one answer from the review
)

// openFor is how long an unfinished check-in waits for its next answer before it is dropped with its answers.
const openFor = 24 * time.Hour

func (m *Module) flow() *flows.Flow {
	return &flows.Flow{
		// No Allow: a guest who types /checkin is told what check-ins are for, not that they are for
		// coordinators. The menu entry is the "checkin.menu" action, shown to members only.
		Name: flowName, Version: 1, First: "menu", Commands: []string{"checkin"},
		Start: m.start,
		Steps: map[string]flows.Step{
			"menu":    {Ask: m.askMenu, Choose: m.answerMenu},
			"q":       {Ask: m.askQuestion, Answer: m.answerQuestion, Timeout: m.expire},
			"review":  {Ask: m.askReview, Choose: m.answerReview, Timeout: m.expire},
			"edit":    {Ask: m.askEdit, Answer: m.answerEdit, Timeout: m.expire},
			"confirm": {Ask: m.askConfirm, Choose: m.answerConfirm, Timeout: func(c *flows.Ctx) error { c.Done(); return nil }},
			"day":     {Ask: m.askDay, Choose: m.answerDay},
			"time":    {Ask: m.askTime, Answer: m.answerTime},
		},
	}
}

// start reads "/checkin ARG": an instrument ("cbi", "pulse") starts it at once; pause, resume, time and trend do
// what they say; nothing opens the check-in menu.
func (m *Module) start(c *flows.Ctx) error {
	if !c.Profile.Member() {
		c.Say(c.T("checkin.members_only"))
		c.Done()
		return nil
	}
	arg := strings.ToLower(strings.TrimSpace(c.Event.Args))
	switch arg {
	case "":
		return nil
	case "pause", "resume":
		m.setPaused(c, arg == "pause")
		c.Done()
		return nil
	case "time", "schedule":
		c.Goto("day")
		return nil
	case "trend":
		m.showTrend(c)
		c.Done()
		return nil
	}
	if in := m.lookup(c.Profile, arg); in != nil {
		m.begin(c, in)
		return nil
	}
	c.Say(c.T("checkin.usage"))
	return nil
}

// lookup finds an instrument the person may take by id or by the id's first part ("cbi" for "cbi-work").
func (m *Module) lookup(p *flows.Profile, name string) *content.Instrument {
	for _, in := range m.instrumentsFor(p) {
		if in.ID == name || strings.HasPrefix(in.ID, name+"-") {
			return in
		}
	}
	return nil
}

func (m *Module) begin(c *flows.Ctx, in *content.Instrument) {
	c.SetSlot(slotInst, in.ID)
	c.SetSlot(slotIdx, "0")
	c.SetSlot(slotEdit, "")
	c.SetSlot(slotAnswers, "")
	c.Say(in.Name.In(c.Lang()) + "\n\n" + in.Intro.In(c.Lang()))
	c.Goto("q")
}

func (m *Module) askMenu(c *flows.Ctx) error {
	p := c.Profile
	next := c.T("checkin.paused_note")
	if !p.Checkins.Paused {
		s := slotOf(p)
		next = c.T("checkin.next", "Day", c.T("day."+strconv.Itoa(int(s.Day))), "Time", hhmm(s.Minute))
	}
	var rows [][]flows.Button
	for _, in := range m.instrumentsFor(p) {
		rows = append(rows, flows.Row(flows.Choice("📝 "+in.Short.In(c.Lang()), "i:"+in.ID)))
	}
	pause := flows.Choice(c.T("checkin.btn_pause"), "pause")
	if p.Checkins.Paused {
		pause = flows.Choice(c.T("checkin.btn_resume"), "resume")
	}
	rows = append(rows,
		flows.Row(flows.Choice(c.T("checkin.btn_trend"), "trend"), flows.Choice(c.T("checkin.btn_time"), "time")),
		flows.Row(pause, flows.ActionButton(c.T("checkin.btn_talk"), safety.ReachAction, "coordinator", KindAsked)),
		flows.Row(flows.Choice(c.T("checkin.btn_close"), "close")),
	)
	c.Ask(c.T("checkin.menu", "Next", next), rows...)
	return nil
}

func (m *Module) answerMenu(c *flows.Ctx, v string) error {
	switch v {
	case "trend":
		m.showTrend(c)
		c.Done()
	case "time":
		c.Goto("day")
	case "pause", "resume":
		m.setPaused(c, v == "pause")
		c.Done()
	case "close":
		c.Say(c.T("checkin.closed"))
		c.Done()
	default:
		in := m.lookup(c.Profile, strings.TrimPrefix(v, "i:"))
		if in == nil {
			c.ReaskButtons()
			return nil
		}
		m.begin(c, in)
	}
	return nil
}

func (m *Module) askQuestion(c *flows.Ctx) error {
	in, items, i, ok := m.item(c)
	if !ok {
		return nil
	}
	it := items[i]
	var rows [][]flows.Button
	for _, o := range in.OptionSets[it.Options] {
		rows = append(rows, flows.Row(flows.Choice(o.Label.In(c.Lang()), strconv.Itoa(o.Value))))
	}
	nav := flows.Row(flows.Choice(c.T("checkin.btn_skip"), "skip"))
	if i > 0 && c.Slot(slotEdit) == "" {
		nav = append(nav, flows.Choice(c.T("checkin.btn_back"), "back"))
	}
	rows = append(rows, nav)
	c.Ask(c.T("checkin.question", "N", i+1, "Total", len(items), "Text", it.Text.In(c.Lang())), rows...)
	c.Deadline(openFor)
	return nil
}

func (m *Module) answerQuestion(c *flows.Ctx) error {
	in, items, i, ok := m.item(c)
	if !ok {
		return nil
	}
	it := items[i]
	v, ok := c.Choice()
	if !ok {
		// A typed option value ("3") counts as the answer with that value.
		if n, err := strconv.Atoi(c.Text()); err == nil {
			if _, valid := in.Option(it, n); valid {
				v, ok = strconv.Itoa(n), true
			}
		}
	}
	if !ok {
		c.Reask(c.T("checkin.use_buttons"))
		return nil
	}
	if v == "back" {
		c.SetSlot(slotIdx, strconv.Itoa(max(i-1, 0)))
		c.Goto("q")
		return nil
	}
	a, readable := m.answers(c)
	if !readable {
		m.lost(c)
		return nil
	}
	if v == "skip" {
		delete(a, it.ID)
	} else {
		n, err := strconv.Atoi(v)
		if _, valid := in.Option(it, n); err != nil || !valid {
			c.Reask(c.T("checkin.use_buttons"))
			return nil
		}
		a[it.ID] = n
	}
	if !m.setAnswers(c, a) {
		m.lost(c)
		return nil
	}
	switch {
	case c.Slot(slotEdit) != "":
		c.SetSlot(slotEdit, "")
		c.Goto("review")
	case i+1 < len(items):
		c.SetSlot(slotIdx, strconv.Itoa(i+1))
		c.Goto("q")
	default:
		c.Goto("review")
	}
	return nil
}

func (m *Module) askReview(c *flows.Ctx) error {
	in, items := m.current(c)
	a, readable := m.answers(c)
	if in == nil || !readable {
		m.lost(c)
		return nil
	}
	var b strings.Builder
	for i, it := range items {
		ans := c.T("checkin.skipped")
		if v, given := a[it.ID]; given {
			if o, ok := in.Option(it, v); ok {
				ans = o.Label.In(c.Lang())
			}
		}
		b.WriteString(strconv.Itoa(i+1) + ". " + it.Text.In(c.Lang()) + "\n    → " + ans + "\n")
	}
	c.Ask(c.T("checkin.review", "List", strings.TrimRight(b.String(), "\n")),
		flows.Row(flows.Choice(c.T("checkin.btn_submit"), "submit")),
		flows.Row(flows.Choice(c.T("checkin.btn_change"), "change"), flows.Choice(c.T("checkin.btn_cancel"), "cancel")),
	)
	c.Deadline(openFor)
	return nil
}

func (m *Module) answerReview(c *flows.Ctx, v string) error {
	switch v {
	case "submit":
		return m.submit(c)
	case "change":
		c.Goto("edit")
	case "cancel":
		c.Say(c.T("checkin.cancelled"))
		c.Done()
	default:
		c.ReaskButtons()
	}
	return nil
}

func (m *Module) askEdit(c *flows.Ctx) error {
	_, items := m.current(c)
	var rows [][]flows.Button
	var row []flows.Button
	for i := range items {
		row = append(row, flows.Choice(strconv.Itoa(i+1), strconv.Itoa(i)))
		if len(row) == 4 {
			rows, row = append(rows, row), nil
		}
	}
	row = append(row, flows.Choice(c.T("checkin.btn_back"), "back"))
	rows = append(rows, row)
	c.Ask(c.T("checkin.which"), rows...)
	c.Deadline(openFor)
	return nil
}

func (m *Module) answerEdit(c *flows.Ctx) error {
	_, items := m.current(c)
	v, ok := c.Choice()
	if !ok {
		v = strconv.Itoa(atoi(c.Text()) - 1) // typed "3" means the third question
	}
	if v == "back" {
		c.Goto("review")
		return nil
	}
	i, err := strconv.Atoi(v)
	if err != nil || i < 0 || i >= len(items) {
		c.ReaskButtons()
		return nil
	}
	c.SetSlot(slotIdx, strconv.Itoa(i))
	c.SetSlot(slotEdit, "1")
	c.Goto("q")
	return nil
}

// askConfirm asks once more, at the moment, before a worrying result reaches a coordinator.
func (m *Module) askConfirm(c *flows.Ctx) error {
	c.Ask(c.T("checkin.ask_alert"), flows.Row(
		flows.Choice(c.T("checkin.alert_yes"), "yes"), flows.Choice(c.T("checkin.alert_no"), "no"),
	))
	// "At that moment": a day later the question is stale, and the result has been shown already.
	c.Deadline(openFor)
	return nil
}

func (m *Module) answerConfirm(c *flows.Ctx, v string) error {
	c.Done()
	if v == "yes" {
		return m.raise(c, KindCheckin, nil)
	}
	c.Say(c.T("checkin.alert_declined"), safety.HumanButtons(c, m.d.Mentors, KindAsked)...)
	return nil
}

func (m *Module) askDay(c *flows.Ctx) error {
	var rows [][]flows.Button
	var row []flows.Button
	for _, d := range []int{1, 2, 3, 4, 5, 6, 0} {
		row = append(row, flows.Choice(c.T("day."+strconv.Itoa(d)), strconv.Itoa(d)))
		if len(row) == 4 {
			rows, row = append(rows, row), nil
		}
	}
	rows = append(rows, row)
	c.Ask(c.T("checkin.ask_day"), rows...)
	return nil
}

func (m *Module) answerDay(c *flows.Ctx, v string) error {
	if d, err := strconv.Atoi(v); err != nil || d < 0 || d > 6 {
		c.ReaskButtons()
		return nil
	}
	c.SetSlot("day", v)
	c.Goto("time")
	return nil
}

var slotTimes = []string{"07:30", "12:00", "16:00", "18:30", "20:00", "21:00"}

func (m *Module) askTime(c *flows.Ctx) error {
	var rows [][]flows.Button
	for i := 0; i < len(slotTimes); i += 3 {
		var row []flows.Button
		for _, t := range slotTimes[i:min(i+3, len(slotTimes))] {
			row = append(row, flows.Choice(t, t))
		}
		rows = append(rows, row)
	}
	c.Ask(c.T("checkin.ask_time", "Zone", c.Profile.Location().String()), rows...)
	return nil
}

func (m *Module) answerTime(c *flows.Ctx) error {
	v, ok := c.Choice()
	if !ok {
		v = c.Text()
	}
	minute, valid := parseClock(v)
	day, err := strconv.Atoi(c.Slot("day"))
	if !valid || err != nil {
		c.Reask(c.T("checkin.time_bad"))
		return nil
	}
	p := c.Profile
	// The prompt planned for the old slot is cancelled; the planner plans the new one.
	c.Unschedule(promptID(p.ID, nextSlot(p, c.Now)))
	p.Checkins.Slot = &flows.CheckinSlot{Day: time.Weekday(day), Minute: minute}
	text := c.T("checkin.slot_saved", "Day", c.T("day."+strconv.Itoa(day)), "Time", hhmm(minute))
	if next := nextSlot(p, c.Now); !p.NextAllowed(next).Equal(next) {
		text += " " + c.T("checkin.slot_quiet")
	}
	c.Say(text)
	c.Done()
	return nil
}

// expire drops an unfinished check-in and its answers. Run by the deadline sweeper it says nothing (it may be the
// middle of the night); run because the person came back, it says why the old buttons no longer work.
func (m *Module) expire(c *flows.Ctx) error {
	if !c.Event.Internal() {
		c.Say(c.T("checkin.expired"))
	}
	c.Done()
	return nil
}
