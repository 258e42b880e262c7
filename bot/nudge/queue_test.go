package nudge_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/nudge"
	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
)

// TestQueueIdsAndCancel: an id enqueued twice (two replicas planning) waits once, at its own time; cancelling
// removes it; cancelling an unknown id is fine.
func TestQueueIdsAndCancel(t *testing.T) {
	conn := redistest.Open(t, redistest.DBNudge)
	clock := flowtest.NewClock(time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC))
	a := nudge.NewQueue(conn.Client, clock, nudge.QueueOptions{})
	b := nudge.NewQueue(conn.Client, clock, nudge.QueueOptions{})
	ctx := context.Background()
	task := flows.Task{ID: "ses:s1:p1:r60", Profile: "p1", Job: "x", At: clock.Now().Add(90 * time.Minute)}
	before := time.Now()
	for _, q := range []*nudge.Queue{a, b, a} {
		if err := q.Enqueue(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
	ids, err := a.Scheduled(100)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []string{nudge.TaskID(task.ID)}) {
		t.Fatalf("scheduled = %v, want one %s", ids, nudge.TaskID(task.ID))
	}
	got, at, err := b.Info(task.ID)
	if err != nil || got == nil || got.Job != "x" || got.Profile != "p1" {
		t.Fatalf("info = %+v, %v", got, err)
	}
	// The delay is counted on the queue's clock: 90 simulated minutes from now in real time.
	if d := at.Sub(before); d < 89*time.Minute || d > 91*time.Minute {
		t.Fatalf("process at is %v from now, want 90m", d)
	}
	if err := b.Cancel(ctx, task.ID, "never-queued"); err != nil {
		t.Fatal(err)
	}
	if ids, _ := a.Scheduled(100); len(ids) != 0 {
		t.Fatalf("after cancel: %v", ids)
	}
	if err := a.Enqueue(ctx, flows.Task{Job: "x"}); err == nil {
		t.Fatal("a task without id was accepted")
	}
}

// recorder is a Sender that counts what reaches each user.
type recorder struct {
	mu   sync.Mutex
	sent map[string]int
	n    int
}

func (r *recorder) Send(_ context.Context, to flows.Identity, rs []flows.Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range rs {
		r.sent[to.ID+"|"+x.Text]++
		r.n++
	}
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// nudgeJob is the job the test plans: it says which nudge it is.
var nudgeJob = flows.Feature{Name: "test", Jobs: []flows.JobHandler{{Job: "test.nudge", Run: func(c *flows.Ctx) error {
	var k string
	if err := c.Args(&k); err != nil {
		return err
	}
	c.Say("nudge " + k)
	return nil
}}}}

// replica is one mentorbot process: its own engine, queue and worker on the shared Redis.
type replica struct {
	eng    *flows.Engine
	queue  *nudge.Queue
	worker *nudge.Worker
}

func newReplica(t *testing.T, conn *redis.Conn, clock flows.Clock, rec *recorder) *replica {
	store := redis.NewStore(conn.Client)
	q := nudge.NewQueue(conn.Client, clock, nudge.QueueOptions{})
	eng := flows.New(flows.Options{Store: store, Clock: clock, Content: content.MustDefault(), Queue: q, Logger: quiet})
	eng.Add(nudgeJob)
	eng.SetSender(flows.Console, rec)
	w := nudge.NewWorker(conn.Client, eng.RunTask, nudge.WorkerOptions{Concurrency: 20, PollInterval: 20 * time.Millisecond, Logger: quiet})
	return &replica{eng: eng, queue: q, worker: w}
}

// TestTwoReplicasDeliverOnce plans the same nudges on two replicas and lets both workers run on one Redis: every
// nudge is sent exactly once.
func TestTwoReplicasDeliverOnce(t *testing.T) {
	users, perUser := 1000, 10
	if !redistest.Real() {
		users = 100 // the embedded server runs asynq's scripts in an interpreter: keep the count modest there
	}
	total := users * perUser
	conn := redistest.Open(t, redistest.DBNudge)
	clock := flowtest.NewClock(time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC))
	ctx := context.Background()
	store := redis.NewStore(conn.Client)
	var tasks []flows.Task
	for u := range users {
		id := flows.Identity{Platform: flows.Console, ID: "u" + strconv.Itoa(u)}
		p := &flows.Profile{ID: flows.ProfileID(id), Identities: []flows.Identity{id}, Lang: "en", Onboarded: true}
		if err := store.Save(ctx, p.ID, flows.Snapshot{Profile: p}, "", nil); err != nil {
			t.Fatal(err)
		}
		for k := range perUser {
			tasks = append(tasks, flows.NewTask(fmt.Sprintf("n:%s:%d", p.ID, k), p.ID, "test.nudge", strconv.Itoa(k)))
		}
	}
	rec := &recorder{sent: map[string]int{}}
	reps := []*replica{newReplica(t, conn, clock, rec), newReplica(t, conn, clock, rec)}
	// Both replicas plan everything, at the same time, as their cron jobs would without the lock.
	t0 := time.Now()
	var wg sync.WaitGroup
	for _, r := range reps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.queue.Enqueue(ctx, tasks...); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	t.Logf("planned twice in %v", time.Since(t0))
	t0 = time.Now()
	for _, r := range reps {
		if err := r.worker.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(2 * time.Minute)
	for rec.count() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("first send after %v", time.Since(t0))
	for rec.count() < total && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("delivered in %v", time.Since(t0))
	for _, r := range reps {
		if err := r.worker.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := rec.count(); n != total {
		t.Fatalf("%d sends, want %d", n, total)
	}
	dups := 0
	for _, n := range rec.sent {
		if n != 1 {
			dups++
		}
	}
	if dups != 0 || len(rec.sent) != total {
		t.Fatalf("%d distinct nudges, %d sent more than once; want %d and 0", len(rec.sent), dups, total)
	}
	t.Logf("%d nudges across two replicas: %d sends, %d duplicates", total, rec.count(), dups)
}

// TestRetryDelay: a lost revision race retries within a second; other failures back off from 5–10 s up to an hour.
func TestRetryDelay(t *testing.T) {
	conflict := fmt.Errorf("run task x: %w", fmt.Errorf("handle: %w after 4 attempts", flows.ErrConflict))
	for n := range 20 {
		if d := nudge.RetryDelay(n, conflict, nil); d < 100*time.Millisecond || d > time.Second {
			t.Fatalf("conflict retry %d after %v", n, d)
		}
	}
	if d := nudge.RetryDelay(0, errors.New("telegram down"), nil); d < 5*time.Second || d > 10*time.Second {
		t.Fatalf("first retry after %v", d)
	}
	if d := nudge.RetryDelay(30, errors.New("telegram down"), nil); d < 30*time.Minute || d > time.Hour {
		t.Fatalf("late retry after %v", d)
	}
}

// TestQueueStats: a queue that never held a task reads as zeros; tasks due now count as pending, later ones as
// scheduled.
func TestQueueStats(t *testing.T) {
	conn := redistest.Open(t, redistest.DBNudge)
	clock := flowtest.NewClock(time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC))
	q := nudge.NewQueue(conn.Client, clock, nudge.QueueOptions{Name: "stats-test"})
	if st, err := q.Stats(); err != nil || st != (nudge.Stats{}) {
		t.Fatalf("new queue: %+v, %v", st, err)
	}
	ctx := context.Background()
	err := q.Enqueue(ctx,
		flows.Task{ID: "now1", Profile: "p1", Job: "x"},
		flows.Task{ID: "now2", Profile: "p2", Job: "x"},
		flows.Task{ID: "later", Profile: "p1", Job: "x", At: clock.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	st, err := q.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending != 2 || st.Scheduled != 1 || st.Active+st.Retry+st.Archived != 0 {
		t.Fatalf("stats %+v, want 2 pending and 1 scheduled", st)
	}
	if st.OldestPending < 0 || st.OldestPending > time.Minute {
		t.Fatalf("oldest pending waited %v", st.OldestPending)
	}
}
