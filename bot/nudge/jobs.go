package nudge

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// Users walks every profile in batches (bot/redis.Store.EachProfiles).
type Users interface {
	EachProfiles(ctx context.Context, batch int, fn func([]*flows.Profile) error) error
}

// Roles lists the profiles holding a role (flows.Directory).
type Roles interface {
	WithRole(ctx context.Context, r flows.Role) ([]string, error)
}

// Deadlines lists the profiles whose conversation deadline has passed (bot/redis.Store.DueDeadlines).
type Deadlines interface {
	DueDeadlines(ctx context.Context, t time.Time) ([]string, error)
}

// Aggregator sees every profile once per run and then says what to send (the coordinator digest).
type Aggregator interface {
	Add(p *flows.Profile)
	Tasks(tick time.Time) []flows.Task
}

// Jobs builds the periodic jobs from what they need. Every job only enqueues tasks: the work for each user runs
// in that user's engine turn on whichever replica's worker takes it.
type Jobs struct {
	Engine    *flows.Engine
	Users     Users
	Roles     Roles
	Deadlines Deadlines
	Queue     flows.Queue
	Log       *slog.Logger
	// Batch is how many profiles are read per round trip. Zero means 500.
	Batch int
}

func (j *Jobs) log() *slog.Logger {
	if j.Log == nil {
		return slog.Default()
	}
	return j.Log
}

// PerUser is a job that calls fn for every profile and enqueues the tasks it returns, a batch at a time.
func (j *Jobs) PerUser(name, spec string, fn func(p *flows.Profile, tick time.Time) []flows.Task) Job {
	return Job{Name: name, Spec: spec, Run: func(ctx context.Context, tick time.Time) error {
		users, tasks := 0, 0
		err := j.Users.EachProfiles(ctx, j.Batch, func(ps []*flows.Profile) error {
			var out []flows.Task
			for _, p := range ps {
				out = append(out, fn(p, tick)...)
			}
			users += len(ps)
			tasks += len(out)
			if err := j.Queue.Enqueue(ctx, out...); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			return nil
		})
		j.log().Info("periodic job", "job", name, "users", users, "tasks", tasks)
		return err
	}}
}

// Plan is the planner job: every registered flows.Planner for every user. Deterministic task ids make running it
// often cheap and safe: a task already waiting is not queued again.
func (j *Jobs) Plan(spec string) Job {
	return j.PerUser("plan", spec, j.Engine.Plan)
}

// Aggregate is a job that feeds every profile to a fresh aggregator, then enqueues what it returns.
func (j *Jobs) Aggregate(name, spec string, newAgg func(tick time.Time) Aggregator) Job {
	return Job{Name: name, Spec: spec, Run: func(ctx context.Context, tick time.Time) error {
		agg := newAgg(tick)
		err := j.Users.EachProfiles(ctx, j.Batch, func(ps []*flows.Profile) error {
			for _, p := range ps {
				agg.Add(p)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return j.Queue.Enqueue(ctx, agg.Tasks(tick)...)
	}}
}

// UserJobs is a job that sends each named internal job to every user once per tick (the retention purge). The
// caller checks that the engine handles them (cmd/mentorbot refuses to serve otherwise).
func (j *Jobs) UserJobs(name, spec string, jobs []flows.Job) Job {
	return Job{Name: name, Spec: spec, Run: func(ctx context.Context, tick time.Time) error {
		names := jobs
		if len(names) == 0 {
			return nil
		}
		return j.Users.EachProfiles(ctx, j.Batch, func(ps []*flows.Profile) error {
			out := make([]flows.Task, 0, len(ps)*len(names))
			for _, p := range ps {
				for _, job := range names {
					out = append(out, flows.Task{ID: tickTaskID(job, p.ID, tick), Profile: p.ID, Job: job})
				}
			}
			return j.Queue.Enqueue(ctx, out...)
		})
	}}
}

// RoleJobs is like UserJobs for the holders of one role only (the escalation safety net, for coordinators).
func (j *Jobs) RoleJobs(name, spec string, role flows.Role, jobs []flows.Job) Job {
	return Job{Name: name, Spec: spec, Run: func(ctx context.Context, tick time.Time) error {
		names := jobs
		if len(names) == 0 {
			return nil
		}
		ids, err := j.Roles.WithRole(ctx, role)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		var out []flows.Task
		for _, pid := range ids {
			for _, job := range names {
				out = append(out, flows.Task{ID: tickTaskID(job, pid, tick), Profile: pid, Job: job})
			}
		}
		return j.Queue.Enqueue(ctx, out...)
	}}
}

// DeadlineJob fires the timeouts of conversation steps whose deadline passed.
func (j *Jobs) DeadlineJob(spec string) Job {
	return Job{Name: "deadlines", Spec: spec, Run: func(ctx context.Context, tick time.Time) error {
		ids, err := j.Deadlines.DueDeadlines(ctx, tick)
		if err != nil {
			return err
		}
		out := make([]flows.Task, len(ids))
		for i, pid := range ids {
			out[i] = flows.Task{ID: "deadline:" + pid + ":" + strconv.FormatInt(tick.Unix(), 10), Profile: pid, Job: flows.JobDeadline}
		}
		return j.Queue.Enqueue(ctx, out...)
	}}
}

// tickTaskID is the id of a per-user job for one tick: the same on every replica, so the queue keeps one.
func tickTaskID(job flows.Job, pid string, tick time.Time) string {
	return string(job) + ":" + pid + ":" + strconv.FormatInt(tick.Unix(), 10)
}
