package checkin

// When nobody takes an alert: the escalation to the next coordinator (and, at the end, the word to the person), and
// the sweep that catches an escalation the queue lost.

import (
	"fmt"
	"strconv"
	"time"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/safety"
)

// escalate runs in the person's turn when a coordinator did not take the alert in time: the next coordinator is
// asked, and when there is nobody left the person is told what to do instead.
func (m *Module) escalate(c *flows.Ctx) error {
	var args alertArgs
	if err := c.Args(&args); err != nil {
		return err
	}
	idStr, level := args.Alert, args.Level
	ctx := c.Context()
	a, err := m.d.Store.GetAlert(ctx, idStr)
	if err != nil {
		return fmt.Errorf("get alert: %w", err)
	}
	if a == nil {
		return nil // erased
	}
	next := level + 1
	// An earlier delivery of this very task moved the alert on, then failed before its tasks and reply were kept
	// (the alert is written before the engine saves): that delivery is done again. Nothing doubles, the task ids
	// are fixed. Any other level means the alert has moved past this task already.
	retry := (a.Level == next && !a.Unanswered) || (a.Level == level && a.Unanswered)
	if !retry && (a.Level != level || a.Unanswered) {
		return nil
	}
	if h, err := m.d.Store.AlertHolder(ctx, idStr); err != nil {
		return fmt.Errorf("alert holder: %w", err)
	} else if h != "" {
		return nil
	}
	if next < len(a.Coords) {
		a.Level = next
		if err := m.ask(c, a, next); err != nil {
			return err
		}
		if err := m.d.Store.PutAlert(ctx, *a, alertTTL); err != nil {
			return fmt.Errorf("put alert: %w", err)
		}
		return nil
	}
	a.Unanswered = true
	if err := m.d.Store.PutAlert(ctx, *a, alertTTL); err != nil {
		return fmt.Errorf("put alert: %w", err)
	}
	// Nobody has it, so a new request must not be told "a coordinator already knows".
	c.Profile.Checkins.AlertAt = time.Time{}
	var rows [][]flows.Button
	if m.d.Mentors != nil {
		if _, ok := m.d.Mentors.MentorOf(c.Context(), c.Profile); ok {
			rows = append(rows, flows.Row(flows.ActionButton(c.T("safety.reach_mentor"), safety.ReachAction, "mentor", a.Kind)))
		}
	}
	c.Say(c.T("alert.unanswered", "Lines", m.d.Helplines.Lines(c)), rows...)
	return nil
}

// sweep is the safety net for escalations the queue lost (a crash between the save and the enqueue, Redis losing
// its last second of writes). cmd/mentorbot sends it to every coordinator every 15 minutes; it schedules the
// escalation of every open alert that is overdue again. The task's id is the one ask gave it, so an escalation
// still waiting in the queue is not doubled, and one that ran has moved the alert on already.
func (m *Module) sweep(c *flows.Ctx) error {
	ctx := c.Context()
	ids, err := m.d.Store.DueAlerts(ctx, c.Now)
	if err != nil {
		return fmt.Errorf("due alerts: %w", err)
	}
	for _, id := range ids {
		a, err := m.d.Store.GetAlert(ctx, id)
		if err != nil {
			return fmt.Errorf("get alert: %w", err)
		}
		if a == nil {
			// Expired: only its place in the index is left.
			if err := m.d.Store.DeleteAlert(ctx, id); err != nil {
				return fmt.Errorf("drop expired alert: %w", err)
			}
			continue
		}
		if !a.Unanswered {
			c.Schedule(escalation(a.ID, a.Subject, a.Level, c.Now))
		}
	}
	return nil
}

// escalation is the task that moves alert id on from level at due, addressed to the person who asked. Its id is
// fixed by alert and level, so the sweep can schedule it again without doubling it.
func escalation(id, subject string, level int, due time.Time) flows.Task {
	return flows.NewTask("alert:"+id+":esc"+strconv.Itoa(level), subject, JobEscalate, alertArgs{Alert: id, Level: level}).Due(due)
}
