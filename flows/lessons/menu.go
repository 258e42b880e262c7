package lessons

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
)

const slotModule = "module"

// start reads the arguments of global buttons: "l <id>" opens a lesson, "c" carries on with the current one,
// "m <module>" lists a module, "s" sets the nudge cadence. Without arguments the modules are listed.
func (l *Lessons) start(c *flows.Ctx) error {
	f := strings.Fields(c.Event.Args)
	if len(f) == 0 {
		return nil
	}
	switch {
	case f[0] == "l" && len(f) == 2:
		l.open(c, l.lib.Lesson(f[1]))
	case f[0] == "c":
		l.open(c, l.current(c.Profile))
	case f[0] == "m" && len(f) == 2:
		m := l.lib.Module(f[1])
		if m == nil || !m.Audience.Admits(roles(c.Profile)...) {
			c.Say(c.T("lessons.not_open"))
			return nil
		}
		c.SetSlot(slotModule, m.ID)
		c.Goto("module")
	case f[0] == "s":
		c.Goto("cadence")
	}
	return nil
}

// open starts a lesson, or resumes it where the person left it. A lesson they may not read shows the modules.
func (l *Lessons) open(c *flows.Ctx, lesson *content.Lesson) {
	if !l.readable(c.Profile, lesson) {
		c.Say(c.T("lessons.not_open"))
		c.Goto("modules")
		return
	}
	d := &c.Profile.Lessons
	d.Last = c.Now
	if d.Current != lesson.ID || d.Stage == "" {
		d.Current, d.Stage, d.Card = lesson.ID, "card", 0
	}
	c.Goto(d.Stage)
}

func (l *Lessons) askModules(c *flows.Ctx) error {
	p := c.Profile
	var lines []string
	var rows [][]flows.Button
	var mods []flows.Button
	for _, m := range l.lib.ModulesFor(roles(p)...) {
		done, total := l.progress(p, m.ID)
		mark := fmt.Sprintf("%d/%d", done, total)
		if done > 0 {
			mark = "✓ " + mark
		}
		lines = append(lines, fmt.Sprintf("%s · %s  %s", m.ID, m.In(c.Lang()).Title, mark))
		mods = append(mods, flows.Choice(m.ID+"  "+mark, "m:"+m.ID))
	}
	var hint string
	if cur := l.current(p); cur != nil {
		hint = c.T("lessons.continue_hint", "Title", cur.In(c.Lang()).Title)
		rows = append(rows, flows.Row(flows.Choice(c.T("lessons.btn.continue"), "c")))
	} else if nx := l.next(p, ""); nx != nil {
		hint = c.T("lessons.next_hint", "Title", nx.In(c.Lang()).Title, "Minutes", nx.Minutes)
		rows = append(rows, flows.Row(flows.Choice(c.T("lessons.btn.start_next"), "l:"+nx.ID)))
	} else {
		hint = c.T("lessons.all_done")
	}
	for i := 0; i < len(mods); i += 3 {
		rows = append(rows, mods[i:min(i+3, len(mods))])
	}
	last := flows.Row(flows.Choice(c.T("lessons.btn.cadence"), "s"))
	if p.Has(flows.Coordinator) {
		last = append(last, flows.ActionButton(c.T("lessons.btn.report"), "lessonreport"))
	}
	rows = append(rows, append(last, flows.Choice(c.T("lessons.btn.close"), "x")))
	c.Ask(c.T("lessons.modules", "List", strings.Join(lines, "\n"), "Hint", hint), rows...)
	return nil
}

func (l *Lessons) answerModules(c *flows.Ctx, v string) error {
	switch {
	case v == "c":
		l.open(c, l.current(c.Profile))
	case strings.HasPrefix(v, "l:"):
		l.open(c, l.lib.Lesson(v[2:]))
	case strings.HasPrefix(v, "m:"):
		c.SetSlot(slotModule, v[2:])
		c.Goto("module")
	case v == "s":
		c.Goto("cadence")
	case v == "x":
		c.Say(c.T("lessons.closed"))
		c.Done()
	default:
		c.ReaskButtons()
	}
	return nil
}

func (l *Lessons) askModule(c *flows.Ctx) error {
	p := c.Profile
	m := l.lib.Module(c.Slot(slotModule))
	if m == nil || !m.Audience.Admits(roles(p)...) {
		c.Say(c.T("lessons.not_open"))
		c.Goto("modules")
		return nil
	}
	var lines []string
	var row []flows.Button
	var rows [][]flows.Button
	for _, ls := range l.lib.LessonsOf(m.ID) {
		n := strconv.Itoa(ls.Order)
		label, mark := n, ""
		if _, done := p.Lessons.Done[ls.ID]; done {
			label, mark = n+" ✓", " ✓"
		} else if ls.ID == p.Lessons.Current {
			label, mark = n+" ▶", " ▶"
		}
		lines = append(lines, c.T("lessons.lesson_line", "N", n, "Title", ls.In(c.Lang()).Title, "Minutes", ls.Minutes)+mark)
		row = append(row, flows.Choice(label, "l:"+ls.ID))
		if len(row) == 3 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	rows = append(rows, flows.Row(flows.Choice(c.T("lessons.btn.back"), "back")))
	t := m.In(c.Lang())
	c.Ask(c.T("lessons.module", "Title", m.ID+" · "+t.Title, "Summary", t.Summary, "List", strings.Join(lines, "\n")), rows...)
	return nil
}

func (l *Lessons) answerModule(c *flows.Ctx, v string) error {
	switch {
	case v == "back":
		c.Goto("modules")
	case strings.HasPrefix(v, "l:"):
		l.open(c, l.lib.Lesson(v[2:]))
	default:
		c.ReaskButtons()
	}
	return nil
}

// Cadences of lesson nudges.
const (
	cadenceTwice  = ""
	cadenceWeekly = "weekly"
	cadenceOff    = "off"
)

func cadenceName(c *flows.Ctx) string {
	switch c.Profile.Lessons.Cadence {
	case cadenceWeekly:
		return c.T("lessons.cadence.weekly")
	case cadenceOff:
		return c.T("lessons.cadence.off")
	}
	return c.T("lessons.cadence.twice")
}

func (l *Lessons) askCadence(c *flows.Ctx) error {
	c.Ask(c.T("lessons.cadence_ask", "Now", cadenceName(c)),
		flows.Row(flows.Choice(c.T("lessons.btn.twice"), "twice"), flows.Choice(c.T("lessons.btn.weekly"), "weekly")),
		flows.Row(flows.Choice(c.T("lessons.btn.never"), "off"), flows.Choice(c.T("lessons.btn.back"), "back")),
	)
	return nil
}

func (l *Lessons) answerCadence(c *flows.Ctx, v string) error {
	d := &c.Profile.Lessons
	switch v {
	case "twice":
		d.Cadence = cadenceTwice
	case "weekly":
		d.Cadence = cadenceWeekly
	case "off":
		d.Cadence = cadenceOff
	case "back":
		c.Goto("modules")
		return nil
	default:
		c.ReaskButtons()
		return nil
	}
	c.Say(c.T("lessons.cadence_saved", "Now", cadenceName(c)))
	c.Goto("modules")
	return nil
}
