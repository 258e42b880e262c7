package pairs

import (
	"slices"
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
		{Name: "pairkeep", Run: func(c *flows.Ctx) error {
			c.ClosePressed()
			c.Say(c.T("pair.kept"))
			return nil
		}},
	}
}

// jobs bring what the other side or a coordinator did, and the sweeps' notices. Their arguments are pairArgs
// (noticeArgs for jobSay, digestArgs for jobDigest); each job's comment names the fields it reads.
func (p *pairing) jobs() []flows.JobHandler {
	return []flows.JobHandler{
		// To a coordinator: MenteeName is waiting for a mentor.
		{Job: jobWaiting, Run: flows.WithArgs(func(c *flows.Ctx, a pairArgs) error {
			if c.DeferNotice() {
				return nil
			}
			c.Say(c.T("pair.waiting_note", "Name", who(c, a.MenteeName, "pair.someone")),
				flows.Row(flows.ActionButton(c.T("pair.open_btn"), "pair")))
			return nil
		})},
		{Job: jobOffer, Run: flows.WithArgs(runOffer)},
		{Job: jobPaired, Run: flows.WithArgs(runPaired)},
		// To the coordinator: Outcome "ok" (paired) or "gone" (the mentee was no longer waiting).
		{Job: jobDone, Run: flows.WithArgs(func(c *flows.Ctx, a pairArgs) error {
			key := "pair.done_ok"
			if a.Outcome != "ok" {
				key = "pair.done_gone"
			}
			c.Say(c.T(key, "Mentee", who(c, a.MenteeName, "pair.someone"), "Mentor", who(c, a.MentorName, "pair.someone")))
			return nil
		})},
		// Pair: the other side ended it; they are not told why.
		{Job: jobEnded, Run: flows.WithArgs(func(c *flows.Ctx, a pairArgs) error {
			m := &c.Profile.Mentoring
			i := m.PairByID(a.Pair)
			if i < 0 {
				return nil
			}
			name := m.Pairs[i].OtherName
			dropPairSessions(c, m.Pairs[i].ID)
			m.Pairs = slices.Delete(m.Pairs, i, i+1)
			notice(c, noticeArgs{Key: "pair.ended_notice", Name: name})
			return nil
		})},
		// To the coordinator: Outcome "ended" or "rematch", and both names.
		{Job: jobEndedNote, Run: flows.WithArgs(func(c *flows.Ctx, a pairArgs) error {
			if c.DeferNotice() {
				return nil
			}
			key := "pair.ended_note"
			if a.Outcome == "rematch" {
				key = "pair.rematch_note"
			}
			c.Say(c.T(key, "Mentee", who(c, a.MenteeName, "pair.someone"), "Mentor", who(c, a.MentorName, "pair.someone")),
				flows.Row(flows.ActionButton(c.T("pair.open_btn"), "pair")))
			return nil
		})},
		// To a mentee: their mentor paused until Until (Unix), or is back (0).
		{Job: jobPaused, Run: flows.WithArgs(func(c *flows.Ctx, a pairArgs) error {
			m := &c.Profile.Mentoring
			i := m.PairByID(a.Pair)
			if i < 0 {
				return nil
			}
			if a.Until == 0 {
				m.Pairs[i].OtherPausedUntil = time.Time{}
				notice(c, noticeArgs{Key: "pair.resumed_notice", Name: m.Pairs[i].OtherName})
				return nil
			}
			m.Pairs[i].OtherPausedUntil = time.Unix(a.Until, 0).UTC()
			notice(c, noticeArgs{Key: "pair.paused_notice", Name: m.Pairs[i].OtherName, Until: a.Until})
			return nil
		})},
		// A notice held back by quiet hours.
		{Job: jobSay, Run: flows.WithArgs(func(c *flows.Ctx, a noticeArgs) error { sayNotice(c, a); return nil })},
		// To both sides: no contact for Weeks weeks.
		{Job: jobInactive, Run: flows.WithArgs(func(c *flows.Ctx, a pairArgs) error {
			m := &c.Profile.Mentoring
			if m.PairByID(a.Pair) < 0 || c.DeferNudge() {
				return nil
			}
			c.Say(c.N("pair.inactive", a.Weeks, "Name", who(c, m.Pairs[m.PairByID(a.Pair)].OtherName, "pair.your_partner")),
				flows.Row(flows.ActionButton(c.T("pair.plan_btn"), "session")))
			return nil
		}), Nudge: true},
		// To the coordinator: no contact for Weeks weeks, and both names.
		{Job: jobInactiveAlert, Run: flows.WithArgs(func(c *flows.Ctx, a pairArgs) error {
			if c.DeferNotice() {
				return nil
			}
			c.Say(c.N("pair.inactive_alert", a.Weeks, "Mentee", who(c, a.MenteeName, "pair.someone"), "Mentor", who(c, a.MentorName, "pair.someone")))
			return nil
		})},
		// To the coordinator: the mentor said the pairing does not fit; both names.
		{Job: jobFitFlag, Run: flows.WithArgs(func(c *flows.Ctx, a pairArgs) error {
			if c.DeferNotice() {
				return nil
			}
			c.Say(c.T("pair.fitflag", "Mentor", who(c, a.MentorName, "pair.someone"), "Mentee", who(c, a.MenteeName, "pair.someone")))
			return nil
		})},
		{Job: jobDigest, Run: runDigest},
	}
}

// runOffer makes the pair on the mentee's side if they are still waiting: Pair, Mentor, Coordinator, MentorName.
func runOffer(c *flows.Ctx, a pairArgs) error {
	m := &c.Profile.Mentoring
	if m.PairByID(a.Pair) >= 0 {
		return nil // already made (a redelivery)
	}
	done := pairArgs{Pair: a.Pair, MenteeName: c.Profile.Name, MentorName: a.MentorName}
	if m.Waiting.IsZero() || len(m.Pairs) > 0 {
		done.Outcome = "gone"
		c.Schedule(flows.NewTask("pair.done:"+a.Pair, a.Coordinator, jobDone, done))
		return nil
	}
	m.Waiting = time.Time{}
	m.Pairs = append(m.Pairs, flows.Pair{ID: a.Pair, Mentee: c.Profile.ID, Mentor: a.Mentor, OtherName: a.MentorName, Coordinator: a.Coordinator, Since: c.Now})
	done.Outcome = "ok"
	paired := pairArgs{Pair: a.Pair, Mentee: c.Profile.ID, Coordinator: a.Coordinator, MenteeName: c.Profile.Name}
	c.Schedule(
		flows.NewTask("pair.paired:"+a.Pair, a.Mentor, jobPaired, paired),
		flows.NewTask("pair.done:"+a.Pair, a.Coordinator, jobDone, done),
	)
	notice(c, noticeArgs{Key: "pair.intro_mentee", Name: a.MentorName})
	return nil
}

// runPaired adds the pair on the mentor's side: Pair, Mentee, Coordinator, MenteeName.
func runPaired(c *flows.Ctx, a pairArgs) error {
	m := &c.Profile.Mentoring
	if m.PairByID(a.Pair) >= 0 {
		return nil
	}
	m.Pairs = append(m.Pairs, flows.Pair{ID: a.Pair, Mentee: a.Mentee, Mentor: c.Profile.ID, OtherName: a.MenteeName, Coordinator: a.Coordinator, Since: c.Now})
	notice(c, noticeArgs{Key: "pair.intro_mentor", Name: a.MenteeName})
	return nil
}

// sayNotice renders a pair notice.
func sayNotice(c *flows.Ctx, a noticeArgs) {
	switch a.Key {
	case "pair.intro_mentee", "pair.intro_mentor":
		c.Say(c.T(a.Key, "Name", who(c, a.Name, "pair.your_partner")),
			flows.Row(flows.ActionButton(c.T("pair.plan_btn"), "session")))
	case "pair.ended_notice", "pair.resumed_notice":
		c.Say(c.T(a.Key, "Name", who(c, a.Name, "pair.your_partner")))
	case "pair.paused_notice":
		when := ""
		if a.Until != 0 {
			when = dateOnly(c, time.Unix(a.Until, 0))
		}
		c.Say(c.T(a.Key, "Name", who(c, a.Name, "pair.your_mentor"), "When", when))
	}
}

// runFit records whether the pairing fits. Args: pair, "good" or "bad".
func runFit(c *flows.Ctx) error {
	a := args(c)
	m := &c.Profile.Mentoring
	i := -1
	if len(a) == 2 && (a[1] == "good" || a[1] == "bad") {
		i = m.PairByID(a[0])
	}
	if i < 0 {
		c.Say(c.T("core.stale"))
		return nil
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
			flag := pairArgs{Pair: x.ID, MentorName: c.Profile.Name, MenteeName: x.OtherName}
			c.Schedule(flows.NewTask("pair.fitflag:"+x.ID, x.Coordinator, jobFitFlag, flag))
		}
	}
	return nil
}

// runRematch: the mentee asks for a new mentor. The mentor is only told the pairing ended; the earlier mentor is not
// suggested again. Args: pair.
func runRematch(c *flows.Ctx) error {
	m := &c.Profile.Mentoring
	i := m.PairByID(c.Event.Args)
	if i < 0 || m.Pairs[i].Mentee != c.Profile.ID {
		c.Say(c.T("core.stale"))
		return nil
	}
	c.ClosePressed()
	mentor := m.Pairs[i].Mentor
	if !slices.Contains(m.AvoidIDs, mentor) {
		m.AvoidIDs = append(m.AvoidIDs, mentor)
	}
	endPair(c, i, "rematch")
	m.Waiting = c.Now
	c.Say(c.T("pair.rematch_ok"))
	return nil
}
