package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/bot/nudge"
	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/checkin"
	"github.com/m4pris/mentorbot/flows/pairs"
	"github.com/m4pris/mentorbot/flows/sessions"
)

// Periodic jobs (UTC cron specs). Every replica runs them; a per-tick Redis lock lets one replica run each tick.
const (
	specPlan       = "*/15 * * * *" // planners: check-in prompts, lesson nudges, session reminders (re-plan)
	specDeadlines  = "* * * * *"    // conversation step timeouts
	specInactive   = "0 9 * * *"    // inactive-pair sweep, daily
	specEscalation = "*/15 * * * *" // safety net for unacknowledged alerts
	specDigest     = "0 5 * * 1"    // Monday digest, delivered at 08:00 in each coordinator's zone
	specRetention  = "30 2 * * *"   // retention purge, daily
)

// Defaults of the job lists (MENTORBOT_RETENTION_JOBS, MENTORBOT_ESCALATION_JOBS). serve refuses to start when a
// listed job has no handler (checkJobs).
var (
	defaultRetentionJobs  = []flows.Job{checkin.JobPurge, sessions.JobPurge}
	defaultEscalationJobs = []flows.Job{}
)

// nudgeFromEnv reads the scheduling variables into c.
func nudgeFromEnv(c *Config, getenv func(string) string) error {
	c.RetentionJobs = listOr(getenv("MENTORBOT_RETENTION_JOBS"), defaultRetentionJobs)
	c.EscalationJobs = listOr(getenv("MENTORBOT_ESCALATION_JOBS"), defaultEscalationJobs)
	c.MentorCapacity = pairs.DefaultCapacity
	if v := getenv("MENTORBOT_MENTOR_CAPACITY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 20 {
			return fmt.Errorf("MENTORBOT_MENTOR_CAPACITY: want a number from 1 to 20, got %q", v)
		}
		c.MentorCapacity = n
	}
	c.QueueConcurrency = 10
	if v := getenv("MENTORBOT_QUEUE_CONCURRENCY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return fmt.Errorf("MENTORBOT_QUEUE_CONCURRENCY: want a number from 1 to 1000, got %q", v)
		}
		c.QueueConcurrency = n
	}
	return nil
}

func listOr(v string, def []flows.Job) []flows.Job {
	if strings.TrimSpace(v) == "" {
		return def
	}
	var out []flows.Job
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" && s != "-" {
			out = append(out, flows.Job(s))
		}
	}
	return out
}

// checkJobs refuses job lists that name a job no feature handles: such a job would fail for every user on every
// tick, and for the escalation list it would mean the safety net silently never runs.
func checkJobs(e *flows.Engine, c Config) error {
	for _, l := range []struct {
		env  string
		jobs []flows.Job
	}{{"MENTORBOT_RETENTION_JOBS", c.RetentionJobs}, {"MENTORBOT_ESCALATION_JOBS", c.EscalationJobs}} {
		for _, j := range l.jobs {
			if !e.HasJob(j) {
				return fmt.Errorf("%s: no feature handles the job %q (known jobs: %s)", l.env, j, joinJobs(e.Jobs()))
			}
		}
	}
	return nil
}

func joinJobs(js []flows.Job) string {
	s := make([]string, len(js))
	for i, j := range js {
		s[i] = string(j)
	}
	return strings.Join(s, ", ")
}

// buildNudge adds the delivery queue (asynq on the same Redis) with its worker, and the periodic jobs.
func buildNudge(_ context.Context, m *Main, p *parts) error {
	sched, worker, err := newNudge(m)
	if err != nil {
		return err
	}
	// Stop order (workers stop in this order, after intake): the scheduler first, so nothing new is queued, then
	// the worker, which finishes the deliveries it holds.
	p.workers = append(p.workers, sched, worker)
	return nil
}

// newNudge sets the engine's queue and builds the scheduler and the worker.
func newNudge(m *Main) (*nudge.Scheduler, *nudge.Worker, error) {
	if err := checkJobs(m.Engine, m.Config); err != nil {
		return nil, nil, err
	}
	q := nudge.NewQueue(m.Conn.Client, m.Clock, nudge.QueueOptions{})
	m.Engine.SetQueue(q)
	m.Metrics.setQueue(q)
	worker := nudge.NewWorker(m.Conn.Client, m.Engine.RunTask, nudge.WorkerOptions{
		Concurrency: m.Config.QueueConcurrency, Logger: m.Log,
	})
	jobs := &nudge.Jobs{Engine: m.Engine, Users: m.Store, Roles: m.Store, Deadlines: m.Store, Queue: q, Log: m.Log}
	sched := nudge.NewScheduler(redis.NewTickLocks(m.Conn.Client), m.Clock, m.Log)
	for _, j := range []nudge.Job{
		jobs.Plan(specPlan),
		jobs.DeadlineJob(specDeadlines),
		jobs.PerUser("inactive", specInactive, pairs.Inactive),
		jobs.RoleJobs("escalation", specEscalation, flows.Coordinator, m.Config.EscalationJobs),
		jobs.Aggregate("digest", specDigest, func(tick time.Time) nudge.Aggregator { return pairs.NewDigest(tick) }),
		jobs.UserJobs("retention", specRetention, m.Config.RetentionJobs),
	} {
		if err := sched.Add(j); err != nil {
			return nil, nil, err
		}
	}
	return sched, worker, nil
}

// startLocalNudge runs the queue worker and the periodic jobs for the local chat (asynq works on the embedded
// server too). The returned stop waits for them.
func startLocalNudge(ctx context.Context, m *Main) (stop func(), err error) {
	sched, worker, err := newNudge(m)
	if err != nil {
		return nil, err
	}
	for _, c := range []component{sched, worker} {
		if err := c.Start(ctx); err != nil {
			return nil, err
		}
	}
	return func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = sched.Stop(sctx)
		_ = worker.Stop(sctx)
	}, nil
}
