package sessions

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/m4pris/mentorbot/flows"
)

// MaxNote is the longest note kept in the session log.
const MaxNote = 500

// maxLog bounds the session log kept in a profile.
const maxLog = 200

// sessionActions are the buttons under the other side's proposals and under the follow-up after a session.
func sessionActions() []*flows.Action {
	return []*flows.Action{
		{Name: "ses.yes", Run: func(c *flows.Ctx) {
			if i := sessionArg(c, flows.SessionAsked); i >= 0 {
				c.ClosePressed()
				confirmSession(c, i)
			}
		}},
		{Name: "ses.no", Run: func(c *flows.Ctx) {
			if i := sessionArg(c, flows.SessionAsked); i >= 0 {
				c.ClosePressed()
				declineSession(c, i)
			}
		}},
		{Name: "ses.other", Run: func(c *flows.Ctx) {
			if i := sessionArg(c, ""); i >= 0 {
				c.ClosePressed()
				c.StartFlow("session")
			}
		}},
		{Name: "ses.held", Run: runHeld},
		{Name: "ses.rate", Run: runRate},
	}
}

// sessionJobs bring the other side's proposals and answers, reminders and the follow-up after a session.
func sessionJobs() []flows.JobHandler {
	return []flows.JobHandler{
		{Job: jobProposed, Run: runProposed},
		{Job: jobConfirmed, Run: func(c *flows.Ctx) {
			m := &c.Profile.Mentoring
			i := sessionArg(c, flows.SessionProposed)
			if i < 0 {
				return
			}
			s := &m.Sessions[i]
			s.Status = flows.SessionConfirmed
			scheduleReminders(c, s)
			tell(c, "confirmed", s.ID, itoa(s.At), s.Pair)
		}},
		{Job: jobDeclined, Run: func(c *flows.Ctx) { dropped(c, "declined") }},
		{Job: jobCancelled, Run: func(c *flows.Ctx) { dropped(c, "cancelled") }},
		{Job: jobTell, Run: func(c *flows.Ctx) {
			if a := args(c); len(a) >= 2 {
				say(c, a[0], a[2:])
			}
		}},
		{Job: jobRemind, Run: runRemind, Nudge: true},
		{Job: jobAfter, Run: runAfter, Nudge: true},
		purgeJob(),
	}
}

// sessionArg finds the session named by the first argument, in status (any status when ""). A button for a session
// that is gone or has moved on is stale: the user is told so and nothing changes.
func sessionArg(c *flows.Ctx, status string) int {
	a := args(c)
	m := &c.Profile.Mentoring
	i := -1
	if len(a) > 0 {
		i = m.SessionByID(a[0])
	}
	if i < 0 || (status != "" && m.Sessions[i].Status != status) {
		if !c.Event.Internal() {
			c.Say(c.T("core.stale"))
		}
		return -1
	}
	return i
}

// runProposed stores the other side's proposal and asks this side.
// Args: session id, pair id, start (Unix), id of the session it replaces or "-".
func runProposed(c *flows.Ctx) {
	a := args(c)
	if len(a) != 4 {
		return
	}
	m := &c.Profile.Mentoring
	pi := m.PairByID(a[1])
	at, ok := unix(a[2])
	if pi < 0 || !ok || m.SessionByID(a[0]) >= 0 {
		return // the pair ended meanwhile, or this proposal is already here
	}
	if c.DeferNotice() {
		return
	}
	p := m.Pairs[pi]
	moved := false
	if j := m.SessionByID(a[3]); j >= 0 {
		moved = m.Sessions[j].Status == flows.SessionConfirmed
		c.Unschedule(m.DropSession(j, c.Profile.ID)...)
	}
	if j := openSession(m, p.ID, c.Now); j >= 0 {
		c.Unschedule(m.DropSession(j, c.Profile.ID)...)
	}
	m.Sessions = append(m.Sessions, flows.Session{ID: a[0], Pair: p.ID, With: p.Other(c.Profile.ID), WithName: p.OtherName, At: at, Status: flows.SessionAsked})
	key := "ses.proposal"
	if moved {
		key = "ses.proposal_moved"
	}
	c.Say(c.T(key, "Name", partner(c, p.OtherName), "When", When(c, at)),
		flows.Row(flows.ActionButton(c.T("ses.yes"), "ses.yes", a[0]), flows.ActionButton(c.T("ses.no"), "ses.no", a[0])),
		flows.Row(flows.ActionButton(c.T("ses.other_time"), "ses.other", a[0])))
}

// dropped removes a session the other side declined or cancelled, with its reminders, and tells this side.
func dropped(c *flows.Ctx, key string) {
	i := sessionArg(c, "")
	if i < 0 {
		return
	}
	m := &c.Profile.Mentoring
	s := m.Sessions[i]
	c.Unschedule(m.DropSession(i, c.Profile.ID)...)
	tell(c, key, s.ID, itoa(s.At), s.Pair)
}

// say renders a session notice. extra: start (Unix), pair id.
func say(c *flows.Ctx, key string, extra []string) {
	if len(extra) < 2 {
		return
	}
	at, ok := unix(extra[0])
	if !ok {
		return
	}
	name := ""
	if i := c.Profile.Mentoring.PairByID(extra[1]); i >= 0 {
		name = c.Profile.Mentoring.Pairs[i].OtherName
	}
	name, when := partner(c, name), When(c, at)
	switch key {
	case "confirmed":
		c.Say(c.T("ses.confirmed_by", "Name", name, "When", when, "Reminders", reminderNote(c, remindersOf(c, extra[1], at))))
	case "declined":
		c.Say(c.T("ses.declined_by", "Name", name, "When", when), flows.Row(flows.ActionButton(c.T("ses.propose_btn"), "session")))
	case "cancelled":
		c.Say(c.T("ses.cancelled_by", "Name", name, "When", when), flows.Row(flows.ActionButton(c.T("ses.propose_btn"), "session")))
	case "grpcancel":
		c.Say(c.T("grp.cancelled_by", "When", when))
	}
}

func remindersOf(c *flows.Ctx, pair string, at interface{ Unix() int64 }) []int {
	for _, s := range c.Profile.Mentoring.Sessions {
		if s.Pair == pair && s.At.Unix() == at.Unix() {
			return s.Reminders
		}
	}
	return nil
}

// runRemind is a reminder the user asked for: it comes even in quiet hours. Args: session id, minutes, start.
func runRemind(c *flows.Ctx) {
	a := args(c)
	if len(a) != 3 {
		return
	}
	i := c.Profile.Mentoring.SessionByID(a[0])
	if i < 0 {
		return
	}
	s := c.Profile.Mentoring.Sessions[i]
	mins, _ := strconv.Atoi(a[1])
	// A reminder for a session that moved meanwhile is stale (its cancellation may have raced the delivery).
	if s.Status != flows.SessionConfirmed || itoa(s.At) != a[2] {
		return
	}
	c.Say(c.T("ses.remind", "Name", partner(c, s.WithName), "In", Before(c, mins), "When", When(c, s.At)))
}

// runAfter asks whether the session took place. Args: session id, start.
func runAfter(c *flows.Ctx) {
	a := args(c)
	if len(a) != 2 {
		return
	}
	m := &c.Profile.Mentoring
	i := m.SessionByID(a[0])
	if i < 0 {
		return
	}
	s := &m.Sessions[i]
	if (s.Status != flows.SessionConfirmed && s.Status != flows.SessionFollowUp) || itoa(s.At) != a[1] {
		return
	}
	// A confirmed session whose time has come counts as contact for the inactivity sweep, answered or not.
	if pi := m.PairByID(s.Pair); pi >= 0 && m.Pairs[pi].LastSession.Before(s.At) {
		m.Pairs[pi].LastSession = s.At
	}
	s.Status = flows.SessionFollowUp
	if c.DeferNudge() {
		return
	}
	c.Say(c.T("ses.held_ask", "Name", partner(c, s.WithName), "When", When(c, s.At)),
		flows.Row(flows.ActionButton(c.T("ses.held_yes"), "ses.held", s.ID, "y"), flows.ActionButton(c.T("ses.held_no"), "ses.held", s.ID, "n")))
}

// runHeld logs whether the session took place and asks for a rating.
func runHeld(c *flows.Ctx) {
	i := sessionArg(c, flows.SessionFollowUp)
	a := args(c)
	if i < 0 || len(a) != 2 || (a[1] != "y" && a[1] != "n") {
		return
	}
	c.ClosePressed()
	m := &c.Profile.Mentoring
	s := m.Sessions[i]
	pi := m.PairByID(s.Pair)
	mentee := pi >= 0 && m.Pairs[pi].Mentee == c.Profile.ID
	m.Log = append(m.Log, flows.SessionLog{ID: s.ID, Pair: s.Pair, At: s.At, Held: a[1] == "y", Mentee: mentee})
	if len(m.Log) > maxLog {
		m.Log = m.Log[len(m.Log)-maxLog:]
	}
	c.Unschedule(m.DropSession(i, c.Profile.ID)...)
	if a[1] == "n" {
		c.Say(c.T("ses.not_held_ok"), flows.Row(flows.ActionButton(c.T("ses.propose_btn"), "session")))
		return
	}
	row := make([]flows.Button, 5)
	for n := 1; n <= 5; n++ {
		row[n-1] = flows.ActionButton(strconv.Itoa(n), "ses.rate", s.ID, strconv.Itoa(n))
	}
	c.Say(c.T("ses.rate_ask"), row)
}

// runRate keeps the rating and offers to add a note.
func runRate(c *flows.Ctx) {
	a := args(c)
	m := &c.Profile.Mentoring
	if len(a) != 2 {
		c.Say(c.T("core.stale"))
		return
	}
	li := slices.IndexFunc(m.Log, func(l flows.SessionLog) bool { return l.ID == a[0] })
	n, err := strconv.Atoi(a[1])
	if li < 0 || err != nil || n < 1 || n > 5 || !m.Log[li].Held || m.Log[li].Rating != 0 {
		c.Say(c.T("core.stale"))
		return
	}
	c.ClosePressed()
	m.Log[li].Rating = n
	c.StartFlow("sesnote")
}

// noteFlow asks for an optional note to the session log, then whether the pairing fits after a pair's first
// session.
func noteFlow() *flows.Flow {
	return &flows.Flow{
		Name: "sesnote", Version: Version, First: "note",
		Start: func(c *flows.Ctx) {
			if a := args(c); len(a) > 0 {
				c.SetSlot("log", a[0])
			}
		},
		Steps: map[string]flows.Step{
			"note": {
				Ask: func(c *flows.Ctx) {
					c.Ask(c.T("ses.note_ask"), flows.Row(flows.Choice(c.T("ses.note_skip"), "skip")))
				},
				Answer: func(c *flows.Ctx) {
					m := &c.Profile.Mentoring
					li := slices.IndexFunc(m.Log, func(l flows.SessionLog) bool { return l.ID == c.Slot("log") })
					if li < 0 {
						c.Done()
						return
					}
					if _, ok := c.Choice(); !ok {
						t := c.Text()
						if utf8.RuneCountInString(t) > MaxNote {
							c.Reask(c.T("ses.note_long", "Max", MaxNote))
							return
						}
						m.Log[li].Note = t
						c.Say(c.T("ses.note_kept"))
					} else {
						c.Say(c.T("ses.logged"))
					}
					askFit(c, m.Log[li].Pair)
					c.Done()
				},
			},
		},
	}
}

// askFit asks once per pair, after the first session that took place, whether the pairing fits.
func askFit(c *flows.Ctx, pair string) {
	m := &c.Profile.Mentoring
	pi := m.PairByID(pair)
	if pi < 0 || m.Pairs[pi].Fit != "" {
		return
	}
	m.Pairs[pi].Fit = "asked"
	c.Say(c.T("ses.fit_ask", "Name", partner(c, m.Pairs[pi].OtherName)),
		flows.Row(flows.ActionButton(c.T("ses.fit_good"), flows.ActionPairFit, pair, "good"),
			flows.ActionButton(c.T("ses.fit_bad"), flows.ActionPairFit, pair, "bad")))
}

// JobPurge is the retention job for what this package keeps: run daily for every user by the periodic jobs.
const JobPurge flows.Job = "sessions.purge"

// Retention of session data.
const (
	// LogRetention: session log entries (with any note) are kept a year, like check-in scores.
	LogRetention = 365 * 24 * time.Hour
	// openRetention: a follow-up nobody answered, or a past group session, is dropped after two weeks.
	openRetention = 14 * 24 * time.Hour
)

// purgeJob drops old session log entries, follow-ups nobody answered and past group sessions (MENTORBOT_RETENTION_JOBS).
func purgeJob() flows.JobHandler {
	return flows.JobHandler{Job: JobPurge, Run: func(c *flows.Ctx) {
		m := &c.Profile.Mentoring
		m.Log = slices.DeleteFunc(m.Log, func(l flows.SessionLog) bool { return c.Now.Sub(l.At) > LogRetention })
		for i := len(m.Sessions) - 1; i >= 0; i-- {
			if c.Now.Sub(m.Sessions[i].At) > openRetention {
				c.Unschedule(m.DropSession(i, c.Profile.ID)...)
			}
		}
		m.Groups = slices.DeleteFunc(m.Groups, func(g flows.GroupInvite) bool { return c.Now.Sub(g.At) > openRetention })
		m.Hosted = slices.DeleteFunc(m.Hosted, func(g flows.GroupSession) bool { return c.Now.Sub(g.At) > openRetention })
	}}
}
