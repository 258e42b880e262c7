package pairs

import (
	"slices"
	"strconv"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// Jobs of this package.
const (
	jobWaiting       flows.Job = "pair.waiting"
	jobOffer         flows.Job = "pair.offer"
	jobPaired        flows.Job = "pair.paired"
	jobDone          flows.Job = "pair.done"
	jobEnded         flows.Job = "pair.ended"
	jobEndedNote     flows.Job = "pair.ended_note"
	jobPaused        flows.Job = "pair.paused"
	jobSay           flows.Job = "pair.say"
	jobInactive      flows.Job = "pair.inactive"
	jobInactiveAlert flows.Job = "pair.inactive_alert"
	jobFitFlag       flows.Job = "pair.fitflag"
	jobDigest        flows.Job = "pair.digest"
)

// actions are the buttons of the fit question after the first session.
func (p *pairing) actions() []*flows.Action {
	return []*flows.Action{
		{Name: flows.ActionPairFit, Run: runFit},
		{Name: "pairnew", Run: runRematch},
		{Name: "pairkeep", Run: func(c *flows.Ctx) {
			c.ClosePressed()
			c.Say(c.T("pair.kept"))
		}},
	}
}

// jobs bring what the other side or a coordinator did, and the sweeps' notices.
func (p *pairing) jobs() []flows.JobHandler {
	return []flows.JobHandler{
		// Args: mentee's name.
		{Job: jobWaiting, Run: func(c *flows.Ctx) {
			if c.DeferNotice() {
				return
			}
			c.Say(c.T("pair.waiting_note", "Name", who(c, fromArg(c.Event.Args), "pair.someone")),
				flows.Row(flows.ActionButton(c.T("pair.open_btn"), "pair")))
		}},
		{Job: jobOffer, Run: runOffer},
		{Job: jobPaired, Run: runPaired},
		// Args: pair, "ok" or "gone", mentee's name, mentor's name.
		{Job: jobDone, Run: func(c *flows.Ctx) {
			a := args(c)
			if len(a) != 4 {
				return
			}
			key := "pair.done_ok"
			if a[1] != "ok" {
				key = "pair.done_gone"
			}
			c.Say(c.T(key, "Mentee", who(c, fromArg(a[2]), "pair.someone"), "Mentor", who(c, fromArg(a[3]), "pair.someone")))
		}},
		// Args: pair. The other side ended it; they are not told why.
		{Job: jobEnded, Run: func(c *flows.Ctx) {
			m := &c.Profile.Mentoring
			i := m.PairByID(c.Event.Args)
			if i < 0 {
				return
			}
			name := m.Pairs[i].OtherName
			dropPairSessions(c, m.Pairs[i].ID)
			m.Pairs = slices.Delete(m.Pairs, i, i+1)
			notice(c, "pair.ended_notice", name)
		}},
		// Args: pair, "ended" or "rematch", mentee's name, mentor's name.
		{Job: jobEndedNote, Run: func(c *flows.Ctx) {
			a := args(c)
			if len(a) != 4 || c.DeferNotice() {
				return
			}
			key := "pair.ended_note"
			if a[1] == "rematch" {
				key = "pair.rematch_note"
			}
			c.Say(c.T(key, "Mentee", who(c, fromArg(a[2]), "pair.someone"), "Mentor", who(c, fromArg(a[3]), "pair.someone")),
				flows.Row(flows.ActionButton(c.T("pair.open_btn"), "pair")))
		}},
		// Args: pair, pause end (Unix, 0 when back).
		{Job: jobPaused, Run: func(c *flows.Ctx) {
			a := args(c)
			m := &c.Profile.Mentoring
			if len(a) != 2 {
				return
			}
			i := m.PairByID(a[0])
			n, err := strconv.ParseInt(a[1], 10, 64)
			if i < 0 || err != nil {
				return
			}
			if n == 0 {
				m.Pairs[i].OtherPausedUntil = time.Time{}
				notice(c, "pair.resumed_notice", m.Pairs[i].OtherName)
				return
			}
			m.Pairs[i].OtherPausedUntil = time.Unix(n, 0).UTC()
			notice(c, "pair.paused_notice", m.Pairs[i].OtherName, a[1])
		}},
		// Args: key, name, extra: a notice held back by quiet hours.
		{Job: jobSay, Run: func(c *flows.Ctx) {
			if a := args(c); len(a) >= 2 {
				sayNotice(c, a[0], fromArg(a[1]), a[2:])
			}
		}},
		// Args: pair, weeks.
		{Job: jobInactive, Run: func(c *flows.Ctx) {
			a := args(c)
			m := &c.Profile.Mentoring
			if len(a) != 2 || m.PairByID(a[0]) < 0 || c.DeferNudge() {
				return
			}
			weeks, _ := strconv.Atoi(a[1])
			c.Say(c.N("pair.inactive", weeks, "Name", who(c, m.Pairs[m.PairByID(a[0])].OtherName, "pair.your_partner")),
				flows.Row(flows.ActionButton(c.T("pair.plan_btn"), "session")))
		}, Nudge: true},
		// Args: pair, weeks, mentee's name, mentor's name.
		{Job: jobInactiveAlert, Run: func(c *flows.Ctx) {
			a := args(c)
			if len(a) != 4 || c.DeferNotice() {
				return
			}
			weeks, _ := strconv.Atoi(a[1])
			c.Say(c.N("pair.inactive_alert", weeks, "Mentee", who(c, fromArg(a[2]), "pair.someone"), "Mentor", who(c, fromArg(a[3]), "pair.someone")))
		}},
		// Args: pair, mentor's name, mentee's name.
		{Job: jobFitFlag, Run: func(c *flows.Ctx) {
			a := args(c)
			if len(a) != 3 || c.DeferNotice() {
				return
			}
			c.Say(c.T("pair.fitflag", "Mentor", who(c, fromArg(a[1]), "pair.someone"), "Mentee", who(c, fromArg(a[2]), "pair.someone")))
		}},
		{Job: jobDigest, Run: runDigest},
	}
}

// runOffer makes the pair on the mentee's side if they are still waiting. Args: pair, mentor, coordinator, mentor's
// name.
func runOffer(c *flows.Ctx) {
	a := args(c)
	if len(a) != 4 {
		return
	}
	m := &c.Profile.Mentoring
	if m.PairByID(a[0]) >= 0 {
		return // already made (a redelivery)
	}
	if m.Waiting.IsZero() || len(m.Pairs) > 0 {
		c.Schedule(flows.Task{ID: "pair.done:" + a[0], Profile: a[2], Job: jobDone, Args: a[0] + " gone " + argName(c.Profile) + " " + a[3]})
		return
	}
	m.Waiting = time.Time{}
	m.Pairs = append(m.Pairs, flows.Pair{ID: a[0], Mentee: c.Profile.ID, Mentor: a[1], OtherName: fromArg(a[3]), Coordinator: a[2], Since: c.Now})
	c.Schedule(
		flows.Task{ID: "pair.paired:" + a[0], Profile: a[1], Job: jobPaired, Args: a[0] + " " + c.Profile.ID + " " + a[2] + " " + argName(c.Profile)},
		flows.Task{ID: "pair.done:" + a[0], Profile: a[2], Job: jobDone, Args: a[0] + " ok " + argName(c.Profile) + " " + a[3]},
	)
	notice(c, "pair.intro_mentee", fromArg(a[3]))
}

// runPaired adds the pair on the mentor's side. Args: pair, mentee, coordinator, mentee's name.
func runPaired(c *flows.Ctx) {
	a := args(c)
	m := &c.Profile.Mentoring
	if len(a) != 4 || m.PairByID(a[0]) >= 0 {
		return
	}
	m.Pairs = append(m.Pairs, flows.Pair{ID: a[0], Mentee: a[1], Mentor: c.Profile.ID, OtherName: fromArg(a[3]), Coordinator: a[2], Since: c.Now})
	notice(c, "pair.intro_mentor", fromArg(a[3]))
}

// sayNotice renders a pair notice; extra[0] is a Unix time for pauses.
func sayNotice(c *flows.Ctx, key, name string, extra []string) {
	switch key {
	case "pair.intro_mentee", "pair.intro_mentor":
		c.Say(c.T(key, "Name", who(c, name, "pair.your_partner")),
			flows.Row(flows.ActionButton(c.T("pair.plan_btn"), "session")))
	case "pair.ended_notice", "pair.resumed_notice":
		c.Say(c.T(key, "Name", who(c, name, "pair.your_partner")))
	case "pair.paused_notice":
		when := ""
		if len(extra) > 0 {
			if n, err := strconv.ParseInt(extra[0], 10, 64); err == nil {
				when = dateOnly(c, time.Unix(n, 0))
			}
		}
		c.Say(c.T(key, "Name", who(c, name, "pair.your_mentor"), "When", when))
	}
}

// runFit records whether the pairing fits. Args: pair, "good" or "bad".
func runFit(c *flows.Ctx) {
	a := args(c)
	m := &c.Profile.Mentoring
	i := -1
	if len(a) == 2 && (a[1] == "good" || a[1] == "bad") {
		i = m.PairByID(a[0])
	}
	if i < 0 {
		c.Say(c.T("core.stale"))
		return
	}
	c.ClosePressed()
	x := &m.Pairs[i]
	x.Fit = a[1]
	switch {
	case a[1] == "good":
		c.Say(c.T("pair.fit_good_ok"))
	case x.Mentee == c.Profile.ID:
		c.Say(c.T("pair.fit_bad_mentee", "Name", who(c, x.OtherName, "pair.your_mentor")), flows.Row(
			flows.ActionButton(c.T("pair.rematch_btn"), "pairnew", x.ID), flows.ActionButton(c.T("pair.keep_btn"), "pairkeep", x.ID)))
	default:
		c.Say(c.T("pair.fit_bad_mentor"))
		if x.Coordinator != "" {
			c.Schedule(flows.Task{ID: "pair.fitflag:" + x.ID, Profile: x.Coordinator, Job: jobFitFlag,
				Args: x.ID + " " + argName(c.Profile) + " " + nameArg(x.OtherName)})
		}
	}
}

// runRematch: the mentee asks for a new mentor. The mentor is only told the pairing ended; the earlier mentor is not
// suggested again. Args: pair.
func runRematch(c *flows.Ctx) {
	m := &c.Profile.Mentoring
	i := m.PairByID(c.Event.Args)
	if i < 0 || m.Pairs[i].Mentee != c.Profile.ID {
		c.Say(c.T("core.stale"))
		return
	}
	c.ClosePressed()
	mentor := m.Pairs[i].Mentor
	if !slices.Contains(m.AvoidIDs, mentor) {
		m.AvoidIDs = append(m.AvoidIDs, mentor)
	}
	endPair(c, i, "rematch")
	m.Waiting = c.Now
	c.Say(c.T("pair.rematch_ok"))
}
