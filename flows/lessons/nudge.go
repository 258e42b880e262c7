package lessons

import (
	"slices"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// Lesson nudges: on a spaced cadence (twice a week by default, weekly, or never) the bot offers the next lesson,
// never in quiet hours or on days off, never to someone who read a lesson in the last days, and never in the middle
// of a conversation the person is having right now.

// nudgeHour is the local hour of a nudge slot, before quiet hours move it: early evening, when most day shifts
// are over. Quiet hours and days off then push it to the person's next free moment.
const nudgeHour = 17

// Spacing rules.
const (
	// recentLesson: no nudge within this time after lesson activity.
	recentLesson = 48 * time.Hour
	// activeNow: no nudge while a conversation runs and the person wrote this recently.
	activeNow = 30 * time.Minute
)

// nudgeDays are the weekdays of the slots for a cadence (nil: no nudges).
func nudgeDays(cadence string) []time.Weekday {
	switch cadence {
	case cadenceTwice:
		return []time.Weekday{time.Tuesday, time.Friday}
	case cadenceWeekly:
		return []time.Weekday{time.Tuesday}
	}
	return nil
}

// nextSlot is the first slot strictly after now, in the person's time zone.
func nextSlot(p *flows.Profile, now time.Time) (time.Time, bool) {
	days := nudgeDays(p.Lessons.Cadence)
	if len(days) == 0 {
		return time.Time{}, false
	}
	loc := p.Location()
	local := now.In(loc)
	for i := range 8 {
		d := time.Date(local.Year(), local.Month(), local.Day()+i, nudgeHour, 0, 0, 0, loc)
		if slices.Contains(days, d.Weekday()) && d.After(now) {
			return d, true
		}
	}
	return time.Time{}, false
}

// Plan is the "lessons.nudge" planner: the next nudge of p, if p should get one. The task id names the slot, so
// planning again (or on another replica) enqueues it once.
func (l *Lessons) Plan(p *flows.Profile, now time.Time) []flows.Task {
	if !p.Onboarded || (l.current(p) == nil && l.next(p, "") == nil) {
		return nil
	}
	slot, ok := nextSlot(p, now)
	if !ok {
		return nil
	}
	day := slot.Format("2006-01-02")
	return []flows.Task{{
		ID: string(NudgeJob) + ":" + p.ID + ":" + day, Profile: p.ID, Job: NudgeJob, Args: day, At: p.NextAllowed(slot),
	}}
}

// nudge offers the next lesson (or the one in progress) with global buttons, leaving any conversation as it is.
// Everything is checked again at delivery, since settings may have changed since the nudge was planned.
func (l *Lessons) nudge(c *flows.Ctx) {
	p := c.Profile
	switch {
	case !p.Onboarded, len(nudgeDays(p.Lessons.Cadence)) == 0:
		return
	case p.QuietAt(c.Now), c.Now.Before(p.Nudges.SnoozeUntil):
		c.Count(flows.CountNudge, flows.NudgeSkippedQuiet) // the planner plans the next slot
		return
	case !p.Lessons.Last.IsZero() && c.Now.Sub(p.Lessons.Last) < recentLesson:
		return
	case !c.State.Idle() && c.Now.Sub(p.Seen) < activeNow:
		return
	}
	settings := flows.ActionButton(c.T("lessons.btn.cadence"), FlowName, "s")
	if cur := l.current(p); cur != nil {
		c.Say(c.T("lessons.nudge_continue", "Title", cur.In(c.Lang()).Title),
			flows.Row(flows.ActionButton(c.T("lessons.btn.continue"), FlowName, "c"), settings))
		return
	}
	nx := l.next(p, "")
	if nx == nil {
		return
	}
	c.Say(c.T("lessons.nudge_next", "Title", nx.In(c.Lang()).Title, "Minutes", nx.Minutes),
		flows.Row(flows.ActionButton(c.T("lessons.btn.start"), FlowName, "l", nx.ID), settings))
}
