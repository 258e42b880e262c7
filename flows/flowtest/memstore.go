// Package flowtest helps test flows: an in-memory store with the same semantics as the Redis one, a simulated
// clock, a recording queue, and a runner for conversation transcripts.
package flowtest

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
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
	seen     map[string]bool
	pending  map[string]*memPending // by pid|event
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
		seen: map[string]bool{}, pending: map[string]*memPending{}, links: map[string]string{}, invites: map[string]flows.Invite{},
	}
}

// memPending is one event's pending replies: the Outbound as JSON, the parts sent, and whether a sender holds it.
// A process of the store's own is always alive, so a claimed entry is taken only after Release or Abandon.
type memPending struct {
	body    []byte
	sent    int
	claimed bool
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
	s.Seen = eventID != "" && m.seen[pid+"|"+eventID]
	return s, nil
}

// Save implements flows.Store.
func (m *MemStore) Save(_ context.Context, pid string, s flows.Snapshot, eventID string, out *flows.Outbound) error {
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
		m.seen[pid+"|"+eventID] = true
		if out != nil {
			b, err := json.Marshal(out)
			if err != nil {
				return err
			}
			m.pending[pid+"|"+eventID] = &memPending{body: b, claimed: true}
		}
	}
	return nil
}

// Ack implements flows.Outbox.
func (m *MemStore) Ack(_ context.Context, pid, eventID string, sent int, done bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if done {
		delete(m.pending, pid+"|"+eventID)
	} else if p := m.pending[pid+"|"+eventID]; p != nil {
		p.sent = sent
	}
	return nil
}

// Release implements flows.Outbox.
func (m *MemStore) Release(_ context.Context, pid, eventID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if p := m.pending[pid+"|"+eventID]; p != nil {
		p.claimed = false
	}
	return nil
}

// Claim implements flows.Outbox.
func (m *MemStore) Claim(_ context.Context, pid, eventID string) (*flows.Outbound, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.claim(pid + "|" + eventID)
}

func (m *MemStore) claim(key string) (*flows.Outbound, error) {
	p := m.pending[key]
	if p == nil || p.claimed {
		return nil, nil
	}
	o := new(flows.Outbound)
	if err := json.Unmarshal(p.body, o); err != nil {
		return nil, err
	}
	p.claimed = true
	o.Profile, o.Event, _ = strings.Cut(key, "|")
	o.Sent = p.sent
	return o.Bind(m), nil
}

// Stale implements flows.Outbox. Entries are stale once released or abandoned, whatever their age.
func (m *MemStore) Stale(_ context.Context, _ time.Duration, limit int) ([]*flows.Outbound, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := slices.Sorted(maps.Keys(m.pending))
	var out []*flows.Outbound
	for _, k := range keys {
		if len(out) >= limit {
			break
		}
		o, err := m.claim(k)
		if err != nil {
			return nil, err
		}
		if o != nil {
			out = append(out, o)
		}
	}
	return out, nil
}

// Abandon gives every pending reply up, as if the process sending them had died.
func (m *MemStore) Abandon() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range m.pending {
		p.claimed = false
	}
}

// PendingReplies counts the events whose replies are still pending.
func (m *MemStore) PendingReplies() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.pending)
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
		if strings.HasPrefix(k, pid+"|") {
			delete(m.seen, k)
		}
	}
	for k := range m.pending {
		if strings.HasPrefix(k, pid+"|") {
			delete(m.pending, k)
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
		if strings.HasPrefix(k, pid+"|") {
			n++
		}
	}
	for k := range m.pending {
		if strings.HasPrefix(k, pid+"|") {
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
