package slack

import (
	"context"
	"sync"
)

// maxQueued bounds the updates waiting for one user; beyond it, updates are dropped (a client gone wild).
const maxQueued = 64

// workers run acknowledged updates after the acknowledgement, one at a time per user and in arrival order, with
// different users in parallel. A user's goroutine lives only while that user has work; close waits for all of them.
type workers struct {
	mu     sync.Mutex
	queues map[string][]func() // present while the user's goroutine runs
	closed bool
	wg     sync.WaitGroup
}

func newWorkers() *workers { return &workers{queues: map[string][]func(){}} }

// submit queues f for key. It reports false when the workers are closed or the key's queue is full.
func (w *workers) submit(key string, f func()) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return false
	}
	q, running := w.queues[key]
	if len(q) >= maxQueued {
		return false
	}
	w.queues[key] = append(q, f)
	if !running {
		w.wg.Add(1)
		go w.drain(key)
	}
	return true
}

func (w *workers) drain(key string) {
	defer w.wg.Done()
	for {
		w.mu.Lock()
		q := w.queues[key]
		if len(q) == 0 {
			delete(w.queues, key)
			w.mu.Unlock()
			return
		}
		f := q[0]
		q[0] = nil
		w.queues[key] = q[1:]
		w.mu.Unlock()
		f()
	}
}

// close refuses new work and waits until the queued work is done or ctx ends.
func (w *workers) close(ctx context.Context) error {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	done := make(chan struct{})
	go func() {
		w.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
