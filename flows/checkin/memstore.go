package checkin

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"
)

// MemStore is an in-memory Store with the Redis store's semantics (values copied through JSON), for tests and for
// a programme wired without Redis.
type MemStore struct {
	mu      sync.Mutex
	alerts  map[string][]byte
	holders map[string]string
	open    map[string]time.Time // open alerts by due time
	tallies map[string]map[string]Tally
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty store.
func NewMemStore() *MemStore {
	return &MemStore{alerts: map[string][]byte{}, holders: map[string]string{}, open: map[string]time.Time{},
		tallies: map[string]map[string]Tally{}}
}

// PutAlert implements Store (the ttl is not enforced in memory).
func (m *MemStore) PutAlert(_ context.Context, a Alert, _ time.Duration) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.alerts[a.ID] = b
	if a.Unanswered {
		delete(m.open, a.ID)
	} else {
		m.open[a.ID] = a.Due
	}
	return nil
}

// GetAlert implements Store.
func (m *MemStore) GetAlert(_ context.Context, id string) (*Alert, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.alerts[id]
	if !ok {
		return nil, nil
	}
	a := new(Alert)
	return a, json.Unmarshal(b, a)
}

// AckAlert implements Store.
func (m *MemStore) AckAlert(_ context.Context, id, by string, _ time.Duration) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.open, id)
	if h, ok := m.holders[id]; ok {
		return h, nil
	}
	m.holders[id] = by
	return by, nil
}

// AlertHolder implements Store.
func (m *MemStore) AlertHolder(_ context.Context, id string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.holders[id], nil
}

// DeleteAlert implements Store.
func (m *MemStore) DeleteAlert(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.alerts, id)
	delete(m.holders, id)
	delete(m.open, id)
	return nil
}

// DueAlerts implements Store.
func (m *MemStore) DueAlerts(_ context.Context, t time.Time) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for id, due := range m.open {
		if !due.After(t) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out, nil
}

// AddTally implements Store.
func (m *MemStore) AddTally(_ context.Context, period, inst, group string, score float64, scored bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := period + "|" + inst
	if m.tallies[k] == nil {
		m.tallies[k] = map[string]Tally{}
	}
	t := m.tallies[k][group]
	t.People++
	if scored {
		t.Scored++
		t.Sum += score
	}
	m.tallies[k][group] = t
	return nil
}

// Tallies implements Store.
func (m *MemStore) Tallies(_ context.Context, period, inst string) (map[string]Tally, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]Tally{}
	for g, t := range m.tallies[period+"|"+inst] {
		out[g] = t
	}
	return out, nil
}
