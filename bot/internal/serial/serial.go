// Package serial holds the adapters' concurrency helpers: a queue that runs work one at a time per key, and a wait
// that gives up on a context without losing track of what it waited for.
package serial

import (
	"context"
	"sync"
	"sync/atomic"
)

// Queue runs work one at a time per key, in the order it was submitted, with different keys in parallel. A key's
// goroutine lives only while the key has work. The platform adapters use it to keep one user's updates and one
// chat's replies in order after the platform has been answered. The zero value is ready to use.
type Queue[K comparable] struct {
	// Max bounds the work waiting for one key; zero means no bound.
	Max int

	mu     sync.Mutex
	queues map[K][]func() // a key has an entry while its goroutine runs
	closed bool
	wg     sync.WaitGroup
	n      atomic.Int64 // work submitted and not finished
}

// Submit queues f for key. It reports false when the Serial is closed or the key's queue is full.
func (s *Queue[K]) Submit(key K, f func()) bool {
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

func (s *Queue[K]) drain(key K) {
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
func (s *Queue[K]) Len() int { return int(s.n.Load()) }

// Close refuses new work and waits until the queued work is done or ctx ends.
func (s *Queue[K]) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	_, err := Wait(ctx, s.wg.Wait)
	return err
}

// Wait calls f (a blocking stop or drain) in a goroutine and waits until it returns or ctx ends, whichever comes
// first; err is ctx's error when ctx ended first. done is closed when f returns, so a caller that must not leave f
// running (asynq's shutdown under a Redis about to close) can go on waiting for it after a timeout.
func Wait(ctx context.Context, f func()) (done <-chan struct{}, err error) {
	ch := make(chan struct{})
	go func() {
		f()
		close(ch)
	}()
	select {
	case <-ch:
		return ch, nil
	case <-ctx.Done():
		return ch, ctx.Err()
	}
}
