package nudge_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/nudge"
	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
	"github.com/m4pris/mentorbot/flows/pairs"
)

// jobsCase stores n members and one coordinator on Redis and returns the jobs, on a recording queue.
func jobsCase(t *testing.T, n int) (*nudge.Jobs, *flowtest.Queue, *flowtest.Clock) {
	conn := redistest.Open(t, redistest.DBNudge)
	store := redis.NewStore(conn.Client)
	clock := flowtest.NewClock(time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC))
	for i := range n + 1 {
		role := flows.Mentee
		if i == n {
			role = flows.Coordinator
		}
		p := &flows.Profile{ID: "u" + strconv.Itoa(i), Lang: "da", Onboarded: true, Roles: []flows.Role{role}}
		if err := store.Save(context.Background(), p.ID, flows.Snapshot{Profile: p}, "", nil); err != nil {
			t.Fatal(err)
		}
	}
	eng := flows.New(flows.Options{Store: store, Clock: clock, Content: content.MustDefault(), Logger: quiet})
	eng.Add(flows.Feature{
		Name: "test",
		Jobs: []flows.JobHandler{{Job: "x.purge", Run: func(*flows.Ctx) {}}},
		Planners: []flows.Planner{func(p *flows.Profile, now time.Time) []flows.Task {
			return []flows.Task{{ID: "t:" + p.ID, Profile: p.ID, Job: "x", At: now.Add(time.Hour)}}
		}},
	})
	q := &flowtest.Queue{}
	return &nudge.Jobs{Engine: eng, Users: store, Roles: store, Deadlines: store, Queue: q, Log: quiet, Batch: 7}, q, clock
}

// TestPlanJobPlansEveryUser walks every user in batches (more users than a batch) and enqueues their tasks.
func TestPlanJobPlansEveryUser(t *testing.T) {
	jobs, q, clock := jobsCase(t, 30)
	if err := jobs.Plan("*/15 * * * *").Run(context.Background(), clock.Now()); err != nil {
		t.Fatal(err)
	}
	if n := len(q.Pending()); n != 31 {
		t.Fatalf("%d tasks planned, want 31", n)
	}
}

// TestUserJobsOncePerTick: a listed job goes to every user once per tick. (A job no feature handles is refused
// before serve starts: cmd/mentorbot's checkJobs.)
func TestUserJobsOncePerTick(t *testing.T) {
	jobs, q, clock := jobsCase(t, 10)
	job := jobs.UserJobs("retention", "0 3 * * *", []flows.Job{"x.purge"})
	for range 2 { // two runs of one tick (a retry) queue each task once
		if err := job.Run(context.Background(), clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	tasks := q.Pending()
	if len(tasks) != 11 {
		t.Fatalf("%d tasks, want 11", len(tasks))
	}
	for _, task := range tasks {
		if task.Job != "x.purge" {
			t.Fatalf("unexpected job %s", task.Job)
		}
	}
}

// TestRoleJobs sends the escalation job to coordinators only.
func TestRoleJobs(t *testing.T) {
	jobs, q, clock := jobsCase(t, 5)
	if err := jobs.RoleJobs("escalation", "*/15 * * * *", flows.Coordinator, []flows.Job{"x.purge"}).Run(context.Background(), clock.Now()); err != nil {
		t.Fatal(err)
	}
	tasks := q.Pending()
	if len(tasks) != 1 || tasks[0].Profile != "u5" {
		t.Fatalf("tasks %v, want one for the coordinator u5", tasks)
	}
}

// TestDigestJob sends one digest to the coordinator, at 08:00 Copenhagen time on Monday.
func TestDigestJob(t *testing.T) {
	jobs, q, clock := jobsCase(t, 6)
	job := jobs.Aggregate("digest", "0 5 * * 1", func(tick time.Time) nudge.Aggregator { return pairs.NewDigest(tick) })
	if err := job.Run(context.Background(), clock.Now()); err != nil {
		t.Fatal(err)
	}
	tasks := q.Pending()
	if len(tasks) != 1 || tasks[0].Profile != "u6" || !strings.Contains(tasks[0].Args, "mentees=6") {
		t.Fatalf("tasks %v", tasks)
	}
	if want := time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC); !tasks[0].At.Equal(want) {
		t.Fatalf("digest at %v, want %v", tasks[0].At, want)
	}
	if !slices.Contains([]flows.Job{"pair.digest"}, tasks[0].Job) {
		t.Fatalf("job %s", tasks[0].Job)
	}
}
