package flows

import "time"

// Planner proposes the upcoming tasks for one user (check-in prompts, lesson nudges, session reminders) from their
// profile alone. The periodic planner in bot/nudge calls every registered Planner for every user and enqueues the
// tasks; deterministic task ids make planning twice, or on two replicas, enqueue each task once.
type Planner func(p *Profile, now time.Time) []Task

// AddPlanner registers a planner.
func (e *Engine) AddPlanner(name string, p Planner) {
	if e.planners == nil {
		e.planners = map[string]Planner{}
	}
	e.planners[name] = p
}

// Plan runs every planner for p.
func (e *Engine) Plan(p *Profile, now time.Time) []Task {
	var out []Task
	for _, pl := range e.planners {
		out = append(out, pl(p, now)...)
	}
	return out
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
