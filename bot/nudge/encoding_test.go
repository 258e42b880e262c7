package nudge_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/m4pris/mentorbot/bot/nudge"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
)

// TestTasksOfBothEncodingsRun: a task queued now (short payload, hashed id) and one queued by the previous build
// (type mentorbot:task, the whole flows.Task as JSON) are both delivered with their profile, job and arguments.
func TestTasksOfBothEncodingsRun(t *testing.T) {
	conn := redistest.Open(t, redistest.DBNudge)
	ctx := context.Background()
	clock := flowtest.NewClock(time.Now())
	q := nudge.NewQueue(conn.Client, clock, nudge.QueueOptions{})
	if err := q.Enqueue(ctx, flows.Task{ID: "checkin:p1:2026-12-01", Profile: "p1", Job: "checkin.prompt", V: 1, Args: json.RawMessage(`{"kind":"pulse"}`)}); err != nil {
		t.Fatal(err)
	}
	old, _ := json.Marshal(flows.Task{ID: "lessons.nudge:p2:2026-12-02", Profile: "p2", Job: "lessons.nudge", V: 1, Args: json.RawMessage(`{"day":"2026-12-02"}`)})
	client := asynq.NewClientFromRedisClient(conn.Client)
	if _, err := client.Enqueue(asynq.NewTask("mentorbot:task", old), asynq.TaskID("lessons.nudge:p2:2026-12-02"), asynq.Queue("mentorbot")); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []flows.Task
	run := func(_ context.Context, t flows.Task) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, t)
		return nil
	}
	w := nudge.NewWorker(conn.Client, run, nudge.WorkerOptions{PollInterval: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := w.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer w.Stop(ctx)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivered %+v, want both tasks", got)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	slices.SortFunc(got, func(a, b flows.Task) int { return strings.Compare(a.Profile, b.Profile) })
	want := []flows.Task{
		{ID: nudge.TaskID("checkin:p1:2026-12-01"), Profile: "p1", Job: "checkin.prompt", V: 1, Args: json.RawMessage(`{"kind":"pulse"}`)},
		{ID: "lessons.nudge:p2:2026-12-02", Profile: "p2", Job: "lessons.nudge", V: 1, Args: json.RawMessage(`{"day":"2026-12-02"}`)},
	}
	if !slices.EqualFunc(got, want, func(a, b flows.Task) bool {
		return a.ID == b.ID && a.Profile == b.Profile && a.Job == b.Job && a.V == b.V && string(a.Args) == string(b.Args)
	}) {
		t.Fatalf("delivered %+v, want %+v", got, want)
	}
}
