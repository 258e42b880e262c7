package flowtest

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/link"
)

var _ link.Store = (*MemStore)(nil)

// PutLinkCode implements link.Store. The TTL is not enforced here: the flow checks Code.Expires by its clock.
func (m *MemStore) PutLinkCode(_ context.Context, hash string, c link.Code, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.codes == nil {
		m.codes = map[string]link.Code{}
	}
	m.codes[hash] = c
	return nil
}

// LinkCode implements link.Store.
func (m *MemStore) LinkCode(_ context.Context, hash string) (link.Code, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.codes[hash]
	return c, ok, nil
}

// ClaimLinkCode implements link.Store.
func (m *MemStore) ClaimLinkCode(_ context.Context, hash, claimant string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.codes[hash]
	if !ok || c.ClaimedBy != "" {
		return false, nil
	}
	c.ClaimedBy = claimant
	m.codes[hash] = c
	return true, nil
}

// MergeProfiles implements link.Store with the Redis store's semantics, in one step under the lock.
func (m *MemStore) MergeProfiles(_ context.Context, from *flows.Profile, into string, merge func(*flows.Profile)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if to, ok := m.links[into]; ok {
		into = to
	}
	b, ok := m.profiles[into]
	if !ok {
		return link.ErrGone
	}
	p := new(flows.Profile)
	if err := json.Unmarshal(b, p); err != nil {
		return err
	}
	merge(p)
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	m.profiles[into] = b
	m.revs[into]++
	// Retire from: its data lives on in into.
	delete(m.profiles, from.ID)
	delete(m.convs, from.ID)
	for k := range m.seen {
		if strings.HasPrefix(k, from.ID+"|") {
			delete(m.seen, k)
		}
	}
	for k := range m.pending {
		if strings.HasPrefix(k, from.ID+"|") {
			delete(m.pending, k)
		}
	}
	m.links[from.ID] = into
	m.revs[from.ID]++
	for _, id := range from.Identities {
		if pid := flows.ProfileID(id); pid != from.ID {
			if _, ok := m.links[pid]; ok {
				m.links[pid] = into
			}
		}
	}
	return nil
}

// Unindex implements link.Store; the in-memory indexes are computed from the profiles, so there is nothing to do.
func (m *MemStore) Unindex(context.Context, string) error { return nil }

// Unlink implements link.Store.
func (m *MemStore) Unlink(_ context.Context, pids ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, pid := range pids {
		delete(m.links, pid)
	}
	return nil
}

// Linked returns the profile pid is linked to, if any (for tests).
func (m *MemStore) Linked(pid string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.links[pid]
}
