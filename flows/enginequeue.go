package flows

import (
	"context"
	"fmt"
)

// SetQueue sets the queue tasks go to, for a queue that can only be built once the store is open (asynq on the
// same Redis). Call it before the engine handles its first event: it is not synchronised with running updates.
func (e *Engine) SetQueue(q Queue) { e.queue = q }

// HasJob reports whether an action handles the internal job name; periodic jobs that send optional jobs (another
// feature's retention purge) check it so an unregistered job is skipped rather than failing for every user.
func (e *Engine) HasJob(name string) bool { return e.jobs[name] != nil }

// Enqueue hands tasks to the queue outside an update: from erasers (which run where no Ctx can schedule) and from
// periodic jobs.
func (e *Engine) Enqueue(ctx context.Context, tasks ...Task) error {
	if len(tasks) == 0 {
		return nil
	}
	if e.queue == nil {
		return fmt.Errorf("enqueue %d tasks: no queue configured", len(tasks))
	}
	return e.queue.Enqueue(ctx, tasks...)
}

// Cancel removes queued tasks outside an update (erasers cancel the erased user's reminders).
func (e *Engine) Cancel(ctx context.Context, ids ...string) error {
	if len(ids) == 0 || e.queue == nil {
		return nil
	}
	return e.queue.Cancel(ctx, ids...)
}
