package nudge

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	goredis "github.com/redis/go-redis/v9"

	"github.com/m4pris/mentorbot/flows"
)

// TaskType is the asynq type of every mentorbot task. A planned task waits in Redis for days, one or more for
// every user, so it is stored small (BenchmarkTaskMemory): a short type, and a payload of only what asynq does
// not keep itself (encodePayload).
const TaskType = "mb"

// oldTaskType is the type the previous build queued its tasks under, with the whole flows.Task as JSON; they
// are still run.
const oldTaskType = "mentorbot:task"

// payloadSep separates the fields of a payload; flows never puts it into a profile id or a job name.
const payloadSep = "\x1f"

// TaskID is the asynq task id of a flows task id: 96 bits of its hash, 16 characters instead of the 40 to 70 the
// flows build (they hold a profile id and a date), so that the three copies asynq keeps (the task's key, the
// scheduled set's member, the message) stay short. Planning the same task twice still gives the same id. The
// engine sees this id as the task's (its deduplication is by it): a task queued by the previous build, under its
// whole id, is a different task if planned again, so one planned before an upgrade may be delivered twice.
func TaskID(id string) string {
	sum := sha256.Sum256([]byte("mentorbot/task\x00" + id))
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// encodePayload is a task's payload: profile, job, the arguments' version and the arguments. Its id is the asynq task id, and when it is
// due is asynq's schedule.
func encodePayload(t flows.Task) []byte {
	return []byte(t.Profile + payloadSep + string(t.Job) + payloadSep + strconv.Itoa(t.V) + payloadSep + string(t.Args))
}

// decodePayload reads a payload of task id, in either encoding.
func decodePayload(id string, b []byte) (flows.Task, error) {
	var t flows.Task
	if len(b) > 0 && b[0] == '{' {
		err := json.Unmarshal(b, &t)
		return t, err
	}
	f := strings.SplitN(string(b), payloadSep, 4)
	if len(f) != 4 {
		return t, errors.New("bad task payload")
	}
	v, err := strconv.Atoi(f[2])
	if err != nil {
		return t, errors.New("bad task payload version")
	}
	t = flows.Task{ID: id, Profile: f[0], Job: flows.Job(f[1]), V: v}
	if f[3] != "" {
		t.Args = json.RawMessage(f[3])
	}
	return t, nil
}

// QueueOptions configure a Queue. Zero values mean the defaults stated on each field.
type QueueOptions struct {
	// Name is the asynq queue. Empty means "mentorbot".
	Name string
	// MaxRetry is how often a failed delivery is retried (with backoff, see RetryDelay). Zero means 10.
	MaxRetry int
	// Timeout bounds one delivery (sends wait for the platforms' pacers). Zero means 5 minutes.
	Timeout time.Duration
	// Parallel is how many enqueues run at once for a large batch (the planner's). Zero means 8.
	Parallel int
}

func (o QueueOptions) withDefaults() QueueOptions {
	if o.Name == "" {
		o.Name = "mentorbot"
	}
	if o.MaxRetry == 0 {
		o.MaxRetry = 10
	}
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Minute
	}
	if o.Parallel == 0 {
		o.Parallel = 8
	}
	return o
}

// Queue is flows.Queue on asynq. A task's id is its asynq TaskID, so enqueueing an id that is already waiting
// (planned twice, or by two replicas) is a no-op, and Cancel deletes by id.
type Queue struct {
	client *asynq.Client
	insp   *asynq.Inspector
	clock  flows.Clock
	opt    QueueOptions
}

var _ flows.Queue = (*Queue)(nil)

// NewQueue returns a queue on Redis client c. clock maps a task's At to a delay, so a simulated clock works.
func NewQueue(c goredis.UniversalClient, clock flows.Clock, opt QueueOptions) *Queue {
	return &Queue{
		client: asynq.NewClientFromRedisClient(c),
		insp:   asynq.NewInspectorFromRedisClient(c),
		clock:  clock,
		opt:    opt.withDefaults(),
	}
}

// Name is the asynq queue name.
func (q *Queue) Name() string { return q.opt.Name }

// Enqueue implements flows.Queue. A task id already in the queue is left as it is.
func (q *Queue) Enqueue(ctx context.Context, tasks ...flows.Task) error {
	if len(tasks) <= 1 || q.opt.Parallel <= 1 {
		for _, t := range tasks {
			if err := q.enqueue(ctx, t); err != nil {
				return err
			}
		}
		return nil
	}
	// A planner's batch: one round trip per task, several at once.
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan flows.Task)
	)
	for range min(q.opt.Parallel, len(tasks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range next {
				if err := q.enqueue(ctx, t); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, t := range tasks {
		next <- t
	}
	close(next)
	wg.Wait()
	return first
}

func (q *Queue) enqueue(ctx context.Context, t flows.Task) error {
	if t.ID == "" {
		return fmt.Errorf("enqueue %s: task without id", t.Job)
	}
	opts := []asynq.Option{asynq.TaskID(TaskID(t.ID)), asynq.Queue(q.opt.Name), asynq.MaxRetry(q.opt.MaxRetry), asynq.Timeout(q.opt.Timeout)}
	if d := t.At.Sub(q.clock.Now()); !t.At.IsZero() && d > 0 {
		opts = append(opts, asynq.ProcessIn(d))
	}
	_, err := q.client.EnqueueContext(ctx, asynq.NewTask(TaskType, encodePayload(t)), opts...)
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("enqueue %s: %w", t.Job, err)
	}
	return nil
}

// Cancel implements flows.Queue: it deletes waiting tasks by id. Unknown ids are fine (already delivered or never
// queued); a task running right now cannot be deleted, which is why the jobs re-check what they deliver.
func (q *Queue) Cancel(_ context.Context, ids ...string) error {
	var first error
	for _, id := range ids {
		err := q.insp.DeleteTask(q.opt.Name, TaskID(id))
		if err == nil || errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
			continue
		}
		if first == nil {
			first = fmt.Errorf("cancel task: %w", err)
		}
	}
	return first
}

// Scheduled lists the queue ids (TaskID) of the tasks waiting for a later time (tests, diagnostics), up to limit.
func (q *Queue) Scheduled(limit int) ([]string, error) {
	infos, err := q.insp.ListScheduledTasks(q.opt.Name, asynq.PageSize(limit))
	if err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
		return nil, fmt.Errorf("list scheduled: %w", err)
	}
	out := make([]string, len(infos))
	for i, in := range infos {
		out[i] = in.ID
	}
	return out, nil
}

// Info returns the task with id, or nil when it is not in the queue.
func (q *Queue) Info(id string) (*flows.Task, time.Time, error) {
	in, err := q.insp.GetTaskInfo(q.opt.Name, TaskID(id))
	if errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
		return nil, time.Time{}, nil
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("task info: %w", err)
	}
	t, err := decodePayload(in.ID, in.Payload)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("decode task: %w", err)
	}
	t.At = in.NextProcessAt
	return &t, in.NextProcessAt, nil
}

// Stats are the queue's tasks by state and the age of its oldest pending task, for the metrics.
type Stats struct {
	Pending, Active, Scheduled, Retry, Archived int
	// OldestPending is how long the oldest task due for delivery has waited for a worker (zero when none waits).
	OldestPending time.Duration
}

// Stats reads the queue's counts with asynq's inspector (a few Redis round trips; the metrics call it on a
// scrape). A queue that has never held a task has zeros.
func (q *Queue) Stats() (Stats, error) {
	in, err := q.insp.GetQueueInfo(q.opt.Name)
	if err != nil {
		if q.notCreated() {
			return Stats{}, nil
		}
		return Stats{}, fmt.Errorf("queue stats: %w", err)
	}
	return Stats{Pending: in.Pending, Active: in.Active, Scheduled: in.Scheduled, Retry: in.Retry, Archived: in.Archived,
		OldestPending: in.Latency}, nil
}

// notCreated reports whether the queue does not exist yet (asynq creates it with its first task).
func (q *Queue) notCreated() bool {
	names, err := q.insp.Queues()
	return err == nil && !slices.Contains(names, q.opt.Name)
}
