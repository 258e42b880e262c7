package nudge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/m4pris/mentorbot/flows"
)

// Locks are the per-tick locks the scheduler takes (bot/redis.TickLocks).
type Locks interface {
	// Acquire takes job's lock for tick (SET NX PX); false when someone else holds it or ran the tick.
	Acquire(ctx context.Context, job string, tick time.Time, owner string, ttl time.Duration) (bool, error)
	// Release removes the lock if owner holds it.
	Release(ctx context.Context, job string, tick time.Time, owner string) error
	// Keep keeps owner's lock for ttl more, marking the tick done.
	Keep(ctx context.Context, job string, tick time.Time, owner string, ttl time.Duration) error
}

// Job is one periodic job.
type Job struct {
	// Name identifies the job in locks and logs.
	Name string
	// Spec is a standard 5-field cron spec (minute granularity), in UTC. Per-user local times are the planners'
	// business, not the cron's.
	Spec string
	// Run does the work of one tick; tick is the scheduled minute, the same on every replica.
	Run func(ctx context.Context, tick time.Time) error
	// MaxRun bounds one run (the lock is held at most this long while running). Zero means 10 minutes.
	MaxRun time.Duration
}

type entry struct {
	Job
	sched cron.Schedule
}

// Scheduler runs jobs on every replica; for each job and tick, only the replica that takes the tick's lock runs it.
type Scheduler struct {
	locks Locks
	clock flows.Clock
	log   *slog.Logger
	owner string

	mu   sync.Mutex
	jobs []*entry
	cron *cron.Cron
	stop context.CancelFunc
}

// NewScheduler returns a scheduler taking locks from locks. Each scheduler has its own random owner token.
func NewScheduler(locks Locks, clock flows.Clock, log *slog.Logger) *Scheduler {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	if log == nil {
		log = slog.Default()
	}
	return &Scheduler{locks: locks, clock: clock, log: log, owner: hex.EncodeToString(b)}
}

// Owner is this scheduler's lock token.
func (s *Scheduler) Owner() string { return s.owner }

// Add registers a job; its spec must parse.
func (s *Scheduler) Add(j Job) error {
	sched, err := cron.ParseStandard(j.Spec)
	if err != nil {
		return fmt.Errorf("job %s: spec %q: %w", j.Name, j.Spec, err)
	}
	if j.MaxRun <= 0 {
		j.MaxRun = 10 * time.Minute
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs = append(s.jobs, &entry{Job: j, sched: sched})
	return nil
}

// Jobs lists the registered job names.
func (s *Scheduler) Jobs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.jobs))
	for i, j := range s.jobs {
		out[i] = j.Name
	}
	return out
}

// due reports whether e fires at the minute tick.
func (e *entry) due(tick time.Time) bool {
	return e.sched.Next(tick.Add(-time.Second)).Equal(tick)
}

// Tick runs, one after another, every job due at tick that this replica wins the lock for. It returns the names
// of the jobs it ran. Tests drive it with simulated ticks; Start drives it from the cron.
func (s *Scheduler) Tick(ctx context.Context, tick time.Time) (ran []string) {
	tick = tick.Truncate(time.Minute)
	s.mu.Lock()
	jobs := append([]*entry(nil), s.jobs...)
	s.mu.Unlock()
	for _, e := range jobs {
		if !e.due(tick) {
			continue
		}
		if ok := s.run(ctx, e, tick); ok {
			ran = append(ran, e.Name)
		}
	}
	return ran
}

// run runs one job's tick under its lock and reports whether this replica ran it.
func (s *Scheduler) run(ctx context.Context, e *entry, tick time.Time) bool {
	ok, err := s.locks.Acquire(ctx, e.Name, tick, s.owner, e.MaxRun)
	if err != nil {
		s.log.Error("periodic job: lock", "job", e.Name, "err", err)
		return false
	}
	if !ok {
		return false
	}
	start := time.Now()
	err = s.call(ctx, e, tick)
	if err != nil {
		s.log.Error("periodic job failed", "job", e.Name, "tick", tick, "err", err)
		// Let a replica whose cron fires later in this tick try again.
		if rerr := s.locks.Release(context.WithoutCancel(ctx), e.Name, tick, s.owner); rerr != nil {
			s.log.Error("periodic job: release", "job", e.Name, "err", rerr)
		}
		return true
	}
	s.log.Debug("periodic job done", "job", e.Name, "tick", tick, "took", time.Since(start))
	// Keep the lock until the next tick (at least a minute), so a replica with a slower clock does not run this
	// tick again.
	keep := max(e.sched.Next(tick).Sub(s.clock.Now()), time.Minute)
	if err := s.locks.Keep(context.WithoutCancel(ctx), e.Name, tick, s.owner, keep); err != nil {
		s.log.Error("periodic job: keep lock", "job", e.Name, "err", err)
	}
	return true
}

// call runs the job with its time limit; a panic becomes an error.
func (s *Scheduler) call(ctx context.Context, e *entry, tick time.Time) (err error) {
	ctx, cancel := context.WithTimeout(ctx, e.MaxRun)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return e.Run(ctx, tick)
}

// Start runs the cron: each job fires on its spec and runs its tick through the lock.
func (s *Scheduler) Start(ctx context.Context) error {
	ctx, s.stop = context.WithCancel(context.WithoutCancel(ctx))
	c := cron.New(cron.WithLocation(time.UTC))
	s.mu.Lock()
	for _, e := range s.jobs {
		c.Schedule(e.sched, cron.FuncJob(func() {
			// The tick is the minute the cron fired for, by this replica's clock: replicas agree on it unless
			// their clocks differ by more than the time to the next minute boundary.
			s.run(ctx, e, s.clock.Now().Truncate(time.Minute))
		}))
	}
	s.cron = c
	s.mu.Unlock()
	c.Start()
	return nil
}

// Stop stops the cron and waits for running jobs (until ctx ends, then cancels them).
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	c := s.cron
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	done := c.Stop()
	select {
	case <-done.Done():
	case <-ctx.Done():
		s.stop()
		<-done.Done()
	}
	s.stop()
	return nil
}
