package checkin

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
)

// DefaultSlot is the weekly check-in time until the person picks another: Thursday 18:30, after a day shift and
// before the weekend.
var DefaultSlot = flows.CheckinSlot{Day: time.Thursday, Minute: 18*60 + 30}

func slotOf(p *flows.Profile) flows.CheckinSlot {
	if p.Checkins.Slot != nil {
		return *p.Checkins.Slot
	}
	return DefaultSlot
}

func hhmm(minute int) string { return fmt.Sprintf("%02d:%02d", minute/60, minute%60) }

// nextSlot is the first time of the person's weekly slot strictly after t, in their time zone (so it stays at
// 18:30 local across daylight-saving changes).
func nextSlot(p *flows.Profile, t time.Time) time.Time {
	loc := p.Location()
	s := slotOf(p)
	lt := t.In(loc)
	d := time.Date(lt.Year(), lt.Month(), lt.Day(), s.Minute/60, s.Minute%60, 0, 0, loc)
	d = d.AddDate(0, 0, (int(s.Day)-int(d.Weekday())+7)%7)
	if !d.After(t) {
		d = d.AddDate(0, 0, 7)
	}
	return d
}

// due is the instrument to offer at slot time t: a monthly one once 27 days have passed since it was last done
// (so it lands in the same week each month), else a weekly one not done in the last 6 days.
func (m *Module) due(p *flows.Profile, t time.Time) *content.Instrument {
	for _, in := range m.instrumentsFor(p) {
		gap := 6 * 24 * time.Hour
		if in.Cadence == "monthly" {
			gap = 27 * 24 * time.Hour
		}
		last := p.Checkins.Done[in.ID]
		if last.IsZero() || t.Sub(last) >= gap {
			return in
		}
	}
	return nil
}

func promptID(pid string, slot time.Time) string {
	return "checkin:" + pid + ":" + slot.Format("2006-01-02")
}

// Plan is the check-in Planner: the next prompt on the person's weekly slot (moved out of quiet hours and days
// off), and, for someone with kept results, the monthly retention purge. Task ids are deterministic, so planning
// again (or on another replica) queues nothing new.
func (m *Module) Plan(p *flows.Profile, now time.Time) []flows.Task {
	var out []flows.Task
	if p.Checkins.Sealed != "" {
		first := time.Date(now.Year(), now.Month(), 1, 3, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
		out = append(out, flows.Task{ID: "checkin.purge:" + p.ID + ":" + first.Format("2006-01"), Profile: p.ID, Job: JobPurge, At: first})
	}
	if !p.Onboarded || !p.Member() || p.Checkins.Paused {
		return out
	}
	slot := nextSlot(p, now)
	for range 5 {
		if in := m.due(p, slot); in != nil {
			return append(out, flows.Task{
				ID: promptID(p.ID, slot), Profile: p.ID, Job: JobPrompt,
				Args: in.ID + " " + slot.Format("2006-01-02"), At: p.NextAllowed(slot),
			})
		}
		slot = nextSlot(p, slot)
	}
	return out
}

// promptActions are the menu entry and the buttons under a check-in prompt.
func (m *Module) promptActions() []*flows.Action {
	return []*flows.Action{
		{Name: "checkin.menu", Allow: isMember, Menu: "menu.checkin", MenuOrder: 10,
			Run: func(c *flows.Ctx) { c.StartFlow(flowName) }},
		{Name: "checkin.go", Allow: isMember, Run: func(c *flows.Ctx) {
			c.ClosePressed()
			c.StartFlow(flowName)
		}},
		{Name: "checkin.later", Allow: isMember, Run: m.later},
		{Name: "checkin.skip", Allow: isMember, Run: func(c *flows.Ctx) {
			c.ClosePressed()
			c.Say(c.T("checkin.skip_ok"))
		}},
	}
}

// promptJobs offer a planned check-in and purge old kept results.
func (m *Module) promptJobs() []flows.JobHandler {
	return []flows.JobHandler{
		{Job: JobPrompt, Run: m.prompt, Nudge: true},
		{Job: JobPurge, Run: m.purge},
	}
}

// prompt offers a planned check-in. Its buttons are global, so a conversation in progress is left as it is: the
// person finishes it first, or starts the check-in when they like.
func (m *Module) prompt(c *flows.Ctx) {
	f := strings.Fields(c.Event.Args)
	if len(f) < 2 {
		return
	}
	p := c.Profile
	in := m.lookup(p, f[0])
	if in == nil || p.Checkins.Paused || !p.Member() {
		return
	}
	later := len(f) > 2 && f[2] == "later"
	// A prompt planned before the person moved their slot, or for a check-in they have since done, is dropped.
	if !later && !m.stillDue(p, in, f[1], c.Now) {
		return
	}
	if d, err := time.ParseInLocation("2006-01-02", f[1], p.Location()); later && (err != nil || p.Checkins.Done[in.ID].After(d)) {
		return
	}
	// Quiet hours or a day off set since the prompt was planned hold it back until they end.
	if c.DeferNudge() {
		return
	}
	row := flows.Row(flows.ActionButton(c.T("checkin.btn_start"), "checkin.go", in.ID))
	if !later {
		row = append(row, flows.ActionButton(c.T("checkin.btn_later"), "checkin.later", in.ID, f[1]))
	}
	row = append(row, flows.ActionButton(c.T("checkin.btn_skip_this"), "checkin.skip"))
	text := c.T("checkin.prompt", "Name", in.Name.In(c.Lang()))
	if !c.State.Idle() {
		text += "\n\n" + c.T("checkin.prompt_busy")
	}
	c.Say(text, row)
}

func (m *Module) stillDue(p *flows.Profile, in *content.Instrument, date string, now time.Time) bool {
	d, err := time.ParseInLocation("2006-01-02", date, p.Location())
	if err != nil || d.Weekday() != slotOf(p).Day {
		return false
	}
	due := m.due(p, now)
	return due != nil && due.ID == in.ID
}

// later asks again in three hours (out of quiet hours), once.
func (m *Module) later(c *flows.Ctx) {
	f := strings.Fields(c.Event.Args)
	if len(f) != 2 || m.lookup(c.Profile, f[0]) == nil {
		c.Say(c.T("core.stale"))
		return
	}
	if _, err := time.Parse("2006-01-02", f[1]); err != nil {
		c.Say(c.T("core.stale")) // a forged button: the date goes into a task id
		return
	}
	c.ClosePressed()
	c.Schedule(flows.Task{
		ID: "checkin:" + c.Profile.ID + ":" + f[1] + ":later", Profile: c.Profile.ID, Job: JobPrompt,
		Args: f[0] + " " + f[1] + " later", At: c.Profile.NextAllowed(c.Now.Add(3 * time.Hour)),
	})
	c.Say(c.T("checkin.later_ok"))
}

// purge drops kept results older than the retention period and re-seals the rest with the current key (which is
// also how a rotated-out key stops being needed). bot/nudge's cron may send it to everyone; the planner plans it
// monthly for those with kept results.
func (m *Module) purge(c *flows.Ctx) {
	p := c.Profile
	if p.Checkins.Sealed == "" || m.d.Sealer == nil {
		return
	}
	h, err := OpenHistory(m.d.Sealer, p)
	if err != nil {
		return // unreadable with the keys configured: kept as it is, for a key that can still open it
	}
	_ = SealHistory(m.d.Sealer, p, h.Purge(c.Now.Add(-m.d.Retention)))
}

func (m *Module) setPaused(c *flows.Ctx, paused bool) {
	p := c.Profile
	if paused && !p.Checkins.Paused {
		c.Unschedule(promptID(p.ID, nextSlot(p, c.Now)))
	}
	p.Checkins.Paused = paused
	if paused {
		c.Say(c.T("checkin.paused"))
		return
	}
	s := slotOf(p)
	c.Say(c.T("checkin.resumed", "Day", c.T("day."+strconv.Itoa(int(s.Day))), "Time", hhmm(s.Minute)))
}

func (m *Module) askDay(c *flows.Ctx) {
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
}

func (m *Module) answerDay(c *flows.Ctx) {
	v, ok := c.Choice()
	d, err := strconv.Atoi(v)
	if !ok || err != nil || d < 0 || d > 6 {
		c.Reask(c.T("core.use_buttons"))
		return
	}
	c.SetSlot("day", v)
	c.Goto("time")
}

var slotTimes = []string{"07:30", "12:00", "16:00", "18:30", "20:00", "21:00"}

func (m *Module) askTime(c *flows.Ctx) {
	var rows [][]flows.Button
	for i := 0; i < len(slotTimes); i += 3 {
		var row []flows.Button
		for _, t := range slotTimes[i:min(i+3, len(slotTimes))] {
			row = append(row, flows.Choice(t, t))
		}
		rows = append(rows, row)
	}
	c.Ask(c.T("checkin.ask_time", "Zone", c.Profile.Location().String()), rows...)
}

func (m *Module) answerTime(c *flows.Ctx) {
	v, ok := c.Choice()
	if !ok {
		v = c.Text()
	}
	minute, valid := parseClock(v)
	day, err := strconv.Atoi(c.Slot("day"))
	if !valid || err != nil {
		c.Reask(c.T("checkin.time_bad"))
		return
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
}

// parseClock reads "18:30", "18.30", "1830" or "18" as minutes after midnight.
func parseClock(s string) (int, bool) {
	s = strings.TrimSpace(s)
	var h, m int
	var err error
	switch {
	case strings.ContainsAny(s, ":."):
		hs, ms, _ := strings.Cut(strings.ReplaceAll(s, ".", ":"), ":")
		if h, err = strconv.Atoi(hs); err != nil {
			return 0, false
		}
		if m, err = strconv.Atoi(ms); err != nil || len(ms) != 2 {
			return 0, false
		}
	case len(s) == 4:
		if h, err = strconv.Atoi(s[:2]); err != nil {
			return 0, false
		}
		if m, err = strconv.Atoi(s[2:]); err != nil {
			return 0, false
		}
	default:
		if h, err = strconv.Atoi(s); err != nil {
			return 0, false
		}
	}
	if h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}
