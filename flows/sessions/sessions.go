// Package sessions is how mentoring pairs meet: proposing a session (day and time buttons or typed), the other
// side confirming, declining or proposing another, reminders before (moved or removed when plans change), the
// follow-up after (did it take place, a 1–5 rating, an optional note for the session log), group sessions for a
// cohort, and the user's reminder and snooze settings.
//
// Each side keeps its own copy of a session in its profile; every change travels to the other side as a Task, so
// a session is never half-changed across two users. Reminders are Tasks with ids derived from the session, so
// rescheduling or cancelling removes exactly the old ones.
package sessions

import (
	"strconv"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// Version of the session flows' steps and slots.
const Version = 1

// Jobs of this package.
const (
	jobProposed  flows.Job = "ses.proposed"
	jobConfirmed flows.Job = "ses.confirmed"
	jobDeclined  flows.Job = "ses.declined"
	jobCancelled flows.Job = "ses.cancelled"
	jobRemind    flows.Job = "ses.remind"
	jobAfter     flows.Job = "ses.after"
	jobTell      flows.Job = "ses.tell"
)

// Options configure the session flows.
type Options struct {
	// Directory lists the members of a cohort for group sessions.
	Directory flows.Directory
}

// Feature is the session flows, their actions and jobs, and the reminder planner.
func Feature(o Options) flows.Feature {
	return flows.Feature{
		Name:     "sessions",
		Flows:    []*flows.Flow{sessionFlow(), noteFlow(), remindersFlow(), groupFlow(o.Directory)},
		Actions:  append(append([]*flows.Action{snoozeAction()}, sessionActions()...), groupActions()...),
		Jobs:     append(sessionJobs(), groupJobs()...),
		Planners: []flows.Planner{Plan},
		Erasers:  []flows.Eraser{forgetHosted},
	}
}

// hasPair lets in people with a mentoring partner.
func hasPair(p *flows.Profile) bool { return len(p.Mentoring.Pairs) > 0 }

// partner is the name to show for the other side.
func partner(c *flows.Ctx, name string) string {
	if name == "" {
		return c.T("ses.partner")
	}
	return name
}

// When renders t in the user's time zone: "Tue 1/12 at 15:30" in their language.
func When(c *flows.Ctx, t time.Time) string {
	l := t.In(c.Profile.Location())
	return c.T("ses.when", "Day", c.T("day."+strconv.Itoa(int(l.Weekday()))),
		"Date", strconv.Itoa(l.Day())+"/"+strconv.Itoa(int(l.Month())), "Time", l.Format("15:04"))
}

// Before renders a reminder lead time: "1 day", "2 hours", "15 minutes".
func Before(c *flows.Ctx, minutes int) string {
	switch {
	case minutes%(24*60) == 0:
		return c.N("ses.days", minutes/(24*60))
	case minutes%60 == 0:
		return c.N("ses.hours", minutes/60)
	}
	return c.N("ses.minutes", minutes)
}

// beforeList renders the user's reminders: "1 day and 1 hour".
func beforeList(c *flows.Ctx, mins []int) string {
	if len(mins) == 0 {
		return c.T("ses.no_reminders")
	}
	parts := make([]string, len(mins))
	for i, m := range mins {
		parts[i] = Before(c, m)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " " + c.T("ses.and") + " " + parts[len(parts)-1]
}

// reminderNote is the sentence naming the reminders that will come.
func reminderNote(c *flows.Ctx, mins []int) string {
	if len(mins) == 0 {
		return c.T("ses.reminders_off")
	}
	return c.T("ses.reminders_note", "List", beforeList(c, mins))
}

// args splits a job's or button's arguments.
func args(c *flows.Ctx) []string { return strings.Fields(c.Event.Args) }

func unix(s string) (time.Time, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(n, 0).UTC(), true
}

func itoa(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// scheduleReminders schedules the user's reminders and follow-up for a confirmed session, skipping reminders whose
// time has passed, and records which it scheduled so they can be cancelled.
func scheduleReminders(c *flows.Ctx, s *flows.Session) {
	pid := c.Profile.ID
	s.Reminders = s.Reminders[:0]
	for _, m := range c.Profile.Nudges.SessionReminders() {
		at := RemindAt(s.At, m, c.Profile.Location())
		if !at.After(c.Now) {
			continue
		}
		s.Reminders = append(s.Reminders, m)
		c.Schedule(flows.Task{ID: flows.ReminderTaskID(s.ID, pid, m), Profile: pid, Job: jobRemind,
			Args: s.ID + " " + strconv.Itoa(m) + " " + itoa(s.At), At: at})
	}
	c.Schedule(afterTask(pid, *s))
}

// RemindAt is when a reminder minutes before start comes. Whole days count on the user's calendar, so "1 day
// before" a Sunday 15:30 session is Saturday 15:30 even when the clocks change in between (DST); other lead times
// are exact durations.
func RemindAt(start time.Time, minutes int, loc *time.Location) time.Time {
	if minutes%(24*60) == 0 {
		return start.In(loc).AddDate(0, 0, -minutes/(24*60))
	}
	return start.Add(-time.Duration(minutes) * time.Minute)
}

// afterTask asks the follow-up questions an hour after the session starts.
func afterTask(pid string, s flows.Session) flows.Task {
	return flows.Task{ID: flows.AfterTaskID(s.ID, pid), Profile: pid, Job: jobAfter, Args: s.ID + " " + itoa(s.At), At: s.At.Add(time.Hour)}
}

// Plan re-plans the reminders and follow-ups of the user's confirmed sessions and group sessions: the queue may
// lose a task (Redis keeps at most a second of writes on a crash), and the ids make re-planning a no-op otherwise.
func Plan(p *flows.Profile, now time.Time) []flows.Task {
	var out []flows.Task
	for _, s := range p.Mentoring.Sessions {
		if s.Status != flows.SessionConfirmed {
			continue
		}
		for _, m := range s.Reminders {
			if at := RemindAt(s.At, m, p.Location()); at.After(now) {
				out = append(out, flows.Task{ID: flows.ReminderTaskID(s.ID, p.ID, m), Profile: p.ID, Job: jobRemind,
					Args: s.ID + " " + strconv.Itoa(m) + " " + itoa(s.At), At: at})
			}
		}
		if s.At.Add(time.Hour).After(now) {
			out = append(out, afterTask(p.ID, s))
		}
	}
	for _, g := range p.Mentoring.Groups {
		if g.Going != "yes" {
			continue
		}
		for _, m := range g.Reminders {
			if at := RemindAt(g.At, m, p.Location()); at.After(now) {
				out = append(out, groupReminder(p, g, m))
			}
		}
	}
	return out
}

// tell says a notice about a session now, or later when it is the user's quiet hours: the state change it reports
// is applied at once, only the message waits.
func tell(c *flows.Ctx, key, sid string, extra ...string) {
	t := c.Now.In(c.Profile.Location())
	if c.Profile.Quiet.Contains(t.Hour()*60 + t.Minute()) {
		next := t
		for i := 0; i < 24*60 && c.Profile.Quiet.Contains(next.Hour()*60+next.Minute()); i++ {
			next = next.Truncate(time.Minute).Add(time.Minute)
		}
		a := strings.Join(append([]string{key, sid}, extra...), " ")
		c.Schedule(flows.Task{ID: "tell:" + sid + ":" + key + ":" + c.Profile.ID, Profile: c.Profile.ID, Job: jobTell, Args: a, At: next})
		return
	}
	say(c, key, extra)
}
