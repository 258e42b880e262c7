package console

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// Queue delivers tasks in process with timers: enough for the local chat when the asynq worker is not running.
// Tasks are lost when the process ends, like the embedded store.
type Queue struct {
	Engine *flows.Engine
	Log    *slog.Logger

	mu     sync.Mutex
	timers map[string]*time.Timer
}

var _ flows.Queue = (*Queue)(nil)

// Enqueue implements flows.Queue; a task id already waiting is not queued twice.
func (q *Queue) Enqueue(ctx context.Context, tasks ...flows.Task) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.timers == nil {
		q.timers = map[string]*time.Timer{}
	}
	for _, t := range tasks {
		if _, ok := q.timers[t.ID]; ok {
			continue
		}
		t := t
		q.timers[t.ID] = time.AfterFunc(max(time.Until(t.At), 0), func() {
			q.mu.Lock()
			delete(q.timers, t.ID)
			q.mu.Unlock()
			if err := q.Engine.RunTask(context.WithoutCancel(ctx), t); err != nil && q.Log != nil {
				q.Log.Error("task failed", "job", t.Job, "err", err)
			}
		})
	}
	return nil
}

// Cancel implements flows.Queue.
func (q *Queue) Cancel(_ context.Context, ids ...string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, id := range ids {
		if tm, ok := q.timers[id]; ok {
			tm.Stop()
			delete(q.timers, id)
		}
	}
	return nil
}
