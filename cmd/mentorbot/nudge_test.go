package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/flows"
)

type sink struct {
	mu   sync.Mutex
	text []string
}

func (s *sink) Send(_ context.Context, _ flows.Identity, rs []flows.Reply) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range rs {
		s.text = append(s.text, r.Text)
	}
	return nil
}

func (s *sink) got() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.text, "\n")
}

// TestLocalNudgeDelivers wires the queue, worker and jobs as the local chat does (asynq on the embedded server, or
// on REDIS_URL) and delivers a task through them once.
func TestLocalNudgeDelivers(t *testing.T) {
	redistest.Open(t, redistest.DBCmd)
	ctx := context.Background()
	m := openMain(t, map[string]string{"REDIS_URL": redistest.URL(t, redistest.DBCmd), "MENTORBOT_LOG_LEVEL": "error"}, &syncBuffer{})
	s := &sink{}
	m.Engine.SetSender(flows.Console, s)
	id := flows.Identity{Platform: flows.Console, ID: "coord"}
	p := &flows.Profile{ID: flows.ProfileID(id), Identities: []flows.Identity{id}, Lang: "en", Onboarded: true, Roles: []flows.Role{flows.Coordinator}}
	if err := m.Store.Save(ctx, p.ID, flows.Snapshot{Profile: p}, "", nil); err != nil {
		t.Fatal(err)
	}
	stop, err := startLocalNudge(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	task := flows.Task{ID: "pair.waiting:test", Profile: p.ID, Job: "pair.waiting", Args: "Anna"}
	for range 2 { // enqueued twice: delivered once
		if err := m.Engine.Enqueue(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && s.got() == ""; time.Sleep(20 * time.Millisecond) {
	}
	stop()
	if got := s.got(); strings.Count(got, "Anna is waiting for a mentor") != 1 {
		t.Fatalf("delivered: %q", got)
	}
}

func TestNudgeConfig(t *testing.T) {
	c, err := configFromEnv(env(map[string]string{"MENTORBOT_RETENTION_JOBS": " a.purge, b.purge ", "MENTORBOT_ESCALATION_JOBS": "-"}))
	if err != nil {
		t.Fatal(err)
	}
	if joinJobs(c.RetentionJobs) != "a.purge, b.purge" || len(c.EscalationJobs) != 0 || c.MentorCapacity != 2 || c.QueueConcurrency != 10 {
		t.Fatalf("config: %+v", c)
	}
	for _, bad := range []map[string]string{{"MENTORBOT_MENTOR_CAPACITY": "lots"}, {"MENTORBOT_MENTOR_CAPACITY": "0"}, {"MENTORBOT_QUEUE_CONCURRENCY": "-1"}} {
		if _, err := configFromEnv(env(bad)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
