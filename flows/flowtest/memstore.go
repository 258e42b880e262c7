// Package flowtest helps test flows: an in-memory store with the same semantics as the Redis one, a simulated
// clock, a recording queue, and a runner for conversation transcripts.
package flowtest

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/link"
)

// MemStore keeps everything in maps, with the optimistic-revision and seen-mark semantics of the Redis store.
// Values are copied through JSON, as Redis would, so a test cannot pass by sharing pointers.
type MemStore struct {
	mu       sync.Mutex
	profiles map[string][]byte
	convs    map[string][]byte
	revs     map[string]int64
	seen     map[string]string
	links    map[string]string
	invites  map[string]flows.Invite
	codes    map[string]link.Code // link codes by hash (link.go), made on first use
}

var (
	_ flows.Store     = (*MemStore)(nil)
	_ flows.Directory = (*MemStore)(nil)
	_ flows.Invites   = (*MemStore)(nil)
)

// NewMemStore returns an empty store.
func NewMemStore() *MemStore {
	return &MemStore{
		profiles: map[string][]byte{}, convs: map[string][]byte{}, revs: map[string]int64{},
		seen: map[string]string{}, links: map[string]string{}, invites: map[string]flows.Invite{},
	}
}

// Load implements flows.Store.
func (m *MemStore) Load(_ context.Context, pid, eventID string) (flows.Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := flows.Snapshot{Rev: m.revs[pid], LinkedTo: m.links[pid]}
	if b, ok := m.profiles[pid]; ok {
		s.Profile = new(flows.Profile)
		if err := json.Unmarshal(b, s.Profile); err != nil {
			return s, err
		}
	}
	if b, ok := m.convs[pid]; ok {
		_ = json.Unmarshal(b, &s.State)
	}
	if v, ok := m.seen[pid+"|"+eventID]; ok && eventID != "" {
		s.Seen = true
		if v != "1" {
			_ = json.Unmarshal([]byte(v), &s.Pending)
		}
	}
	return s, nil
}

// Save implements flows.Store.
func (m *MemStore) Save(_ context.Context, pid string, s flows.Snapshot, eventID string, pending []flows.Reply) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.revs[pid] != s.Rev {
		return flows.ErrConflict
	}
	p, err := json.Marshal(s.Profile)
	if err != nil {
		return err
	}
	c, err := json.Marshal(s.State)
	if err != nil {
		return err
	}
	m.revs[pid]++
	m.profiles[pid] = p
	m.convs[pid] = c
	if eventID != "" {
		mark := "1"
		if len(pending) > 0 {
			b, _ := json.Marshal(pending)
			mark = string(b)
		}
		m.seen[pid+"|"+eventID] = mark
	}
	return nil
}

// Ack implements flows.Store.
func (m *MemStore) Ack(_ context.Context, pid, eventID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seen[pid+"|"+eventID] = "1"
	return nil
}

// Erase implements flows.Store.
func (m *MemStore) Erase(_ context.Context, pid string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.profiles, pid)
	delete(m.convs, pid)
	delete(m.revs, pid)
	delete(m.links, pid)
	for k := range m.seen {
		if len(k) > len(pid) && k[:len(pid)+1] == pid+"|" {
			delete(m.seen, k)
		}
	}
	return nil
}

// Keys counts what is stored about pid (for erasure tests).
func (m *MemStore) Keys(pid string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	if _, ok := m.profiles[pid]; ok {
		n++
	}
	if _, ok := m.convs[pid]; ok {
		n++
	}
	for k := range m.seen {
		if len(k) > len(pid) && k[:len(pid)+1] == pid+"|" {
			n++
		}
	}
	return n
}

// Profile implements flows.Directory.
func (m *MemStore) Profile(_ context.Context, pid string) (*flows.Profile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.profiles[pid]
	if !ok {
		return nil, nil
	}
	p := new(flows.Profile)
	return p, json.Unmarshal(b, p)
}

// WithRole implements flows.Directory.
func (m *MemStore) WithRole(_ context.Context, r flows.Role) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for pid, b := range m.profiles {
		var p flows.Profile
		if json.Unmarshal(b, &p) == nil && p.Has(r) {
			out = append(out, pid)
		}
	}
	return out, nil
}

// PutInvite implements flows.Invites.
func (m *MemStore) PutInvite(_ context.Context, hash string, inv flows.Invite) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.invites[hash] = inv
	return nil
}

// TakeInvite implements flows.Invites.
func (m *MemStore) TakeInvite(_ context.Context, hash string) (flows.Invite, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	inv, ok := m.invites[hash]
	delete(m.invites, hash)
	return inv, ok, nil
}

// Clock is a simulated clock, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now implements flows.Clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set sets the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Queue records tasks; RunDue delivers those due by the clock through the engine.
type Queue struct {
	mu    sync.Mutex
	tasks map[string]flows.Task
}

var _ flows.Queue = (*Queue)(nil)

// Enqueue implements flows.Queue: a task id already queued is not queued again.
func (q *Queue) Enqueue(_ context.Context, tasks ...flows.Task) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.tasks == nil {
		q.tasks = map[string]flows.Task{}
	}
	for _, t := range tasks {
		if _, ok := q.tasks[t.ID]; !ok {
			q.tasks[t.ID] = t
		}
	}
	return nil
}

// Cancel implements flows.Queue.
func (q *Queue) Cancel(_ context.Context, ids ...string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, id := range ids {
		delete(q.tasks, id)
	}
	return nil
}

// Pending returns a copy of the queued tasks.
func (q *Queue) Pending() []flows.Task {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]flows.Task, 0, len(q.tasks))
	for _, t := range q.tasks {
		out = append(out, t)
	}
	return out
}

// TakeDue removes and returns the tasks due at t, earliest first.
func (q *Queue) TakeDue(t time.Time) []flows.Task {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []flows.Task
	for id, task := range q.tasks {
		if !task.At.After(t) {
			out = append(out, task)
			delete(q.tasks, id)
		}
	}
	sortTasks(out)
	return out
}
