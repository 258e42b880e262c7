package flows

import (
	"context"
	"sync"
	"sync/atomic"
)

// Serial runs work one at a time per key, in the order it was submitted, with different keys in parallel. A key's
// goroutine lives only while the key has work. The platform adapters use it to keep one user's updates and one
// chat's replies in order after the platform has been answered.
type Serial[K comparable] struct {
	// Max bounds the work waiting for one key; zero means no bound.
	Max int

	mu     sync.Mutex
	queues map[K][]func() // a key has an entry while its goroutine runs
	closed bool
	wg     sync.WaitGroup
	n      atomic.Int64 // work submitted and not finished
}

// Submit queues f for key. It reports false when the Serial is closed or the key's queue is full.
func (s *Serial[K]) Submit(key K, f func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.queues == nil {
		s.queues = map[K][]func(){}
	}
	q, running := s.queues[key]
	if s.Max > 0 && len(q) >= s.Max {
		return false
	}
	s.queues[key] = append(q, f)
	s.n.Add(1)
	if !running {
		s.wg.Add(1)
		go s.drain(key)
	}
	return true
}

func (s *Serial[K]) drain(key K) {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		q := s.queues[key]
		if len(q) == 0 {
			delete(s.queues, key)
			s.mu.Unlock()
			return
		}
		f := q[0]
		q[0] = nil
		s.queues[key] = q[1:]
		s.mu.Unlock()
		f()
		s.n.Add(-1)
	}
}

// Len is the work submitted and not finished yet (queued or running), over all keys.
func (s *Serial[K]) Len() int { return int(s.n.Load()) }

// Close refuses new work and waits until the queued work is done or ctx ends.
func (s *Serial[K]) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
