package flows

// Counts are the events flows report for the operators' metrics. They go out through Options.Observe as an
// Observation with Count set, never with anything that identifies a person: Name and Kind are fixed words.
const (
	// CountAlertRaised: a coordinator alert was created (Kind: the alert's kind, e.g. checkin, asked, crisis).
	CountAlertRaised = "alert_raised"
	// CountAlertAcknowledged: a coordinator took an alert ("I'll take it"; Kind: the alert's kind).
	CountAlertAcknowledged = "alert_acknowledged"
	// CountNudge: what became of one delivery of a nudge job (an Action with Nudge set); Kind is one of the
	// Nudge* outcomes.
	CountNudge = "nudge"
	// CountNoticeDeferred: a notice from another person's action (DeferNotice) arrived in the person's quiet
	// hours and was scheduled again for their end (Kind: NudgeDeferredQuiet).
	CountNoticeDeferred = "notice_deferred"
)

// Outcomes of a nudge delivery (the Kind of CountNudge).
const (
	// NudgeSent: the nudge's message reached the person's platform.
	NudgeSent = "sent"
	// NudgeDeferredQuiet: it fell in quiet hours, on a day off or in a snooze (DeferNudge) and was scheduled
	// again for the next allowed moment.
	NudgeDeferredQuiet = "deferred_quiet"
	// NudgeSkippedQuiet: it fell in quiet hours, on a day off or in a snooze and was dropped; the planner plans
	// the next one (lesson nudges).
	NudgeSkippedQuiet = "skipped_quiet"
	// NudgeDropped: the job had nothing to say any more (done meanwhile, settings changed, the session moved).
	NudgeDropped = "dropped"
	// NudgeUnreachable: the person could not be reached on any platform (blocked the bot).
	NudgeUnreachable = "unreachable"
)

// Count is one counted event of an update.
type Count struct{ Name, Kind string }

// Count records an event for the metrics (see CountAlertRaised and the other names). The engine reports it once
// the update is saved: an update tried again after a conflict counts once, and one that failed counts not at all.
func (c *Ctx) Count(name, kind string) { c.counts = append(c.counts, Count{Name: name, Kind: kind}) }
