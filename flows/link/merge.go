package link

import (
	"slices"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// Merge folds profile from into profile into so that nothing is lost: identities, roles, lesson progress and
// check-in dates are combined; for one-value settings into's win, unless only from finished onboarding or into has
// none. Consents stay into's (the person is told to check them), and check-in scores kept by from are carried over
// only when into has the consent to keep scores and holds none itself: an encrypted history cannot be combined
// here (see Merger). The per-minute message count (Rate) is into's: it is a rate limit, not data.
func Merge(into, from *flows.Profile) {
	for _, id := range from.Identities {
		if !slices.Contains(into.Identities, id) {
			into.Identities = append(into.Identities, id)
		}
	}
	if into.Name == "" {
		into.Name = from.Name
	}
	for _, r := range from.Roles {
		into.AddRole(r)
	}
	if into.Member() {
		// AddRole(Guest) from a guest profile must not make a member a guest again.
		into.Roles = slices.DeleteFunc(into.Roles, func(r flows.Role) bool { return r == flows.Guest })
	}
	if !into.Onboarded && from.Onboarded {
		into.Lang, into.TZ, into.Quiet, into.DaysOff = from.Lang, from.TZ, from.Quiet, slices.Clone(from.DaysOff)
		into.Onboarded = true
	}
	if into.Lang == "" {
		into.Lang = from.Lang
	}
	if into.TZ == "" {
		into.TZ = from.TZ
	}
	into.Created = earliest(into.Created, from.Created)
	into.Seen = latest(into.Seen, from.Seen)
	for _, p := range from.Unreachable {
		if !slices.Contains(into.Unreachable, p) {
			into.Unreachable = append(into.Unreachable, p)
		}
	}
	into.InviteFails = max(into.InviteFails, from.InviteFails)
	into.InviteLock = latest(into.InviteLock, from.InviteLock)

	into.Checkins.Last = latest(into.Checkins.Last, from.Checkins.Last)
	if into.Checkins.Sealed == "" && into.Consents.KeepScores.Given {
		into.Checkins.Sealed = from.Checkins.Sealed
	}
	mergeCheckins(&into.Checkins, &from.Checkins)
	mergeLessons(&into.Lessons, &from.Lessons)
	mergeMentoring(&into.Mentoring, &from.Mentoring)
	into.Nudges.SnoozeUntil = latest(into.Nudges.SnoozeUntil, from.Nudges.SnoozeUntil)
	if into.Nudges.Reminders == nil {
		into.Nudges.Reminders = from.Nudges.Reminders
	}
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// mergeLessons combines lesson progress: finished lessons (earliest date), answers and pending practices of both;
// a lesson in progress and the nudge cadence are into's unless into has none.
func mergeLessons(into, from *flows.LessonData) {
	for id, t := range from.Done {
		if into.Done == nil {
			into.Done = map[string]time.Time{}
		}
		if old, ok := into.Done[id]; !ok || t.Before(old) {
			into.Done[id] = t
		}
	}
	if into.Current == "" {
		into.Current, into.Stage, into.Card = from.Current, from.Stage, from.Card
	}
	for id, ok := range from.Correct {
		if into.Correct == nil {
			into.Correct = map[string]bool{}
		}
		if _, seen := into.Correct[id]; !seen {
			into.Correct[id] = ok
		}
	}
	for _, p := range from.Practice {
		if !slices.ContainsFunc(into.Practice, func(x flows.PracticeDue) bool { return x.Lesson == p.Lesson }) {
			into.Practice = append(into.Practice, p)
		}
	}
	if into.Cadence == "" {
		into.Cadence = from.Cadence
	}
	into.Last = latest(into.Last, from.Last)
}

// mergeCheckins keeps the schedule of the staying profile (or the joining one's if it has none), the newest
// completion per instrument, and every open alert id so /forget can still find them.
func mergeCheckins(into, from *flows.CheckinData) {
	for k, t := range from.Done {
		if into.Done == nil {
			into.Done = map[string]time.Time{}
		}
		into.Done[k] = latest(into.Done[k], t)
	}
	if into.Slot == nil {
		into.Slot = from.Slot
	}
	into.Paused = into.Paused || from.Paused
	for k, v := range from.Counted {
		if into.Counted == nil {
			into.Counted = map[string]string{}
		}
		if into.Counted[k] < v {
			into.Counted[k] = v
		}
	}
	for _, a := range from.Alerts {
		if !slices.Contains(into.Alerts, a) {
			into.Alerts = append(into.Alerts, a)
		}
	}
	into.AlertAt = latest(into.AlertAt, from.AlertAt)
}

// mergeMentoring keeps both sides' pairs, sessions, logs and groups. The other person in a pair still names the
// joining profile's old id; tasks sent there follow the link key to the merged profile.
func mergeMentoring(into, from *flows.MentoringData) {
	if into.Site == "" {
		into.Site, into.Unit = from.Site, from.Unit
	}
	into.OtherUnit = into.OtherUnit || from.OtherUnit
	for _, a := range from.Avoid {
		if !slices.Contains(into.Avoid, a) {
			into.Avoid = append(into.Avoid, a)
		}
	}
	for _, a := range from.AvoidIDs {
		if !slices.Contains(into.AvoidIDs, a) {
			into.AvoidIDs = append(into.AvoidIDs, a)
		}
	}
	into.Waiting = earliest(into.Waiting, from.Waiting)
	into.Capacity = max(into.Capacity, from.Capacity)
	into.PausedUntil = latest(into.PausedUntil, from.PausedUntil)
	into.Pairs = append(into.Pairs, from.Pairs...)
	into.Sessions = append(into.Sessions, from.Sessions...)
	into.Log = append(into.Log, from.Log...)
	into.Groups = append(into.Groups, from.Groups...)
	into.Hosted = append(into.Hosted, from.Hosted...)
}
