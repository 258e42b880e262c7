package flows

import (
	"strconv"
	"strings"
	"time"
)

// DeferNudge is for a job that nudges (a check-in prompt, an inactivity nudge, a follow-up question): delivered in
// the user's quiet hours, on a day off or while they snoozed nudges, it schedules itself again at the next
// allowed moment and reports true, and the caller then says nothing now.
func (c *Ctx) DeferNudge() bool {
	if !c.deferTo(c.Profile.NextAllowed(c.Now)) {
		return false
	}
	c.Count(CountNudge, NudgeDeferredQuiet)
	return true
}

// DeferNotice is for a job that brings news from another person (a session proposal, a new pairing): only quiet
// hours hold it back — a colleague's message is not a nudge, so days off and snoozing do not.
func (c *Ctx) DeferNotice() bool {
	t := c.Now.In(c.Profile.Location())
	for i := 0; i < 24*60 && c.Profile.Quiet.Contains(t.Hour()*60+t.Minute()); i++ {
		t = t.Truncate(time.Minute).Add(time.Minute)
	}
	if !c.deferTo(t) {
		return false
	}
	c.Count(CountNoticeDeferred, NudgeDeferredQuiet)
	return true
}

func (c *Ctx) deferTo(next time.Time) bool {
	if !c.Event.Internal() || !next.After(c.Now) {
		return false
	}
	id := strings.TrimPrefix(c.Event.ID, "task:")
	c.Schedule(Task{ID: id + "@" + strconv.FormatInt(next.Unix(), 10), Profile: c.Profile.ID, Job: c.Event.Job, Args: c.Event.Args, At: next})
	return true
}

// NextAllowed returns the first moment at or after t when a nudge may reach the user: outside quiet hours, not on
// a day off, not while snoozed. It looks ahead at most 8 days (someone with every day off still gets the nudge, on
// the first minute after quiet hours, rather than never).
func (p *Profile) NextAllowed(t time.Time) time.Time {
	if t.Before(p.Nudges.SnoozeUntil) {
		t = p.Nudges.SnoozeUntil
	}
	loc := p.Location()
	cur := t.In(loc)
	limit := cur.Add(8 * 24 * time.Hour)
	for cur.Before(limit) {
		if !p.QuietAt(cur) {
			return cur
		}
		// Step to the next minute boundary; quiet hours and days off are minute-granular.
		cur = cur.Truncate(time.Minute).Add(time.Minute)
	}
	// Every minute is blocked by days off: fall back to quiet hours only.
	cur = t.In(loc)
	for i := 0; i < 24*60; i++ {
		if !p.Quiet.Contains(cur.Hour()*60 + cur.Minute()) {
			return cur
		}
		cur = cur.Truncate(time.Minute).Add(time.Minute)
	}
	return t
}
