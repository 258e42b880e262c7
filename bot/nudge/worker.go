package nudge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"time"

	"github.com/hibiken/asynq"
	goredis "github.com/redis/go-redis/v9"

	"github.com/m4pris/mentorbot/bot/internal/serial"
	"github.com/m4pris/mentorbot/flows"
)

// WorkerOptions configure a Worker. Zero values mean the defaults stated on each field.
type WorkerOptions struct {
	// Queue is the asynq queue to work. Empty means "mentorbot" (QueueOptions' default).
	Queue string
	// Concurrency is how many tasks run at once on this replica. Zero means 10.
	Concurrency int
	// PollInterval is how often an idle worker looks for due tasks (and moves scheduled tasks that fell due).
	// Zero means 1 s.
	PollInterval time.Duration
	// ShutdownTimeout is how long Stop lets running tasks finish. Zero means 10 s.
	ShutdownTimeout time.Duration
	// Logger; nil uses slog.Default().
	Logger *slog.Logger
}

// Worker takes due tasks from the asynq queue and runs each through the engine. Several replicas may run a worker
// on one Redis: asynq hands each task to one of them, and the engine's dedupe by task id covers a redelivery
// after a crash.
type Worker struct {
	srv *asynq.Server
	run func(context.Context, flows.Task) error
	log *slog.Logger
}

// NewWorker returns a worker on Redis client c that calls run (Engine.RunTask) for each task.
func NewWorker(c goredis.UniversalClient, run func(context.Context, flows.Task) error, opt WorkerOptions) *Worker {
	if opt.Queue == "" {
		opt.Queue = QueueOptions{}.withDefaults().Name
	}
	if opt.Concurrency == 0 {
		opt.Concurrency = 10
	}
	if opt.PollInterval == 0 {
		opt.PollInterval = time.Second
	}
	if opt.ShutdownTimeout == 0 {
		opt.ShutdownTimeout = 10 * time.Second
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	w := &Worker{run: run, log: opt.Logger}
	w.srv = asynq.NewServerFromRedisClient(c, asynq.Config{
		Concurrency:              opt.Concurrency,
		Queues:                   map[string]int{opt.Queue: 1},
		TaskCheckInterval:        opt.PollInterval,
		DelayedTaskCheckInterval: opt.PollInterval,
		ShutdownTimeout:          opt.ShutdownTimeout,
		RetryDelayFunc:           RetryDelay,
		Logger:                   asynqLogger{opt.Logger},
		LogLevel:                 asynq.WarnLevel,
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, _ *asynq.Task, err error) {
			n, _ := asynq.GetRetryCount(ctx)
			opt.Logger.Warn("task delivery failed", "retry", n, "err", err)
		}),
	})
	return w
}

// RetryDelay is the backoff between retries of a failed delivery: 10 s doubling up to an hour, with jitter so
// that tasks failing together (Redis or a platform down) do not come back together. A task that lost an
// optimistic-revision race (another replica was updating the same user) comes back within a second.
func RetryDelay(n int, err error, _ *asynq.Task) time.Duration {
	if errors.Is(err, flows.ErrConflict) {
		return 100*time.Millisecond + rand.N(900*time.Millisecond)
	}
	d := 10 * time.Second << min(n, 9)
	d = min(d, time.Hour)
	return d/2 + rand.N(d/2+1)
}

// Start starts processing.
func (w *Worker) Start(context.Context) error {
	mux := asynq.NewServeMux()
	mux.HandleFunc(TaskType, w.handle)
	mux.HandleFunc(oldTaskType, w.handle)
	if err := w.srv.Start(mux); err != nil {
		return fmt.Errorf("start queue worker: %w", err)
	}
	return nil
}

func (w *Worker) handle(ctx context.Context, at *asynq.Task) error {
	id, _ := asynq.GetTaskID(ctx)
	t, err := decodePayload(id, at.Payload())
	if err != nil || t.ID == "" || t.Job == "" {
		// Nothing we wrote looks like this: retrying cannot help.
		return fmt.Errorf("bad task payload: %w", asynq.SkipRetry)
	}
	if err := w.run(ctx, t); err != nil {
		return fmt.Errorf("run task %s: %w", t.Job, err)
	}
	return nil
}

// Stop stops taking tasks and waits for running ones. It waits for asynq's shutdown even after ctx ends (asynq's
// ShutdownTimeout bounds it, 10 s by default): returning earlier lets the caller close Redis under asynq's
// goroutines, and asynq v0.26's subscriber panics on a closed connection, which would turn a slow shutdown into a
// crash. The error reports that ctx ended first.
func (w *Worker) Stop(ctx context.Context) error {
	done, err := serial.Wait(ctx, w.srv.Shutdown)
	if err != nil {
		w.log.Warn("queue worker still stopping after the shutdown timeout; waiting for its running tasks")
		<-done
	}
	return err
}

// asynqLogger sends asynq's own log lines to slog.
type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...), "component", "asynq") }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...), "component", "asynq") }

// Fatal is called by asynq only when it cannot go on; the contract is to exit.
func (a asynqLogger) Fatal(args ...any) {
	a.l.Error(fmt.Sprint(args...), "component", "asynq")
	os.Exit(1)
}
