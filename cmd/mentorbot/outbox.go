package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/flows"
)

// sweepEvery is how often a replica looks for replies whose sender died or gave up (flows.Engine.Sweep): at
// start, then at this interval, under a lease so that one replica scans each time.
const sweepEvery = 10 * time.Second

// sweepBatch bounds the replies one sweep sends.
const sweepBatch = 500

// buildOutbox adds the sweeper of pending replies.
func buildOutbox(_ context.Context, m *Main, p *parts) error {
	host, _ := os.Hostname()
	p.workers = append(p.workers, &sweeper{
		eng: m.Engine, locks: redis.NewLocks(m.Conn.Client), owner: fmt.Sprintf("%s-%d", host, os.Getpid()),
		every: sweepEvery, log: m.Log.With("component", "outbox"),
	})
	return nil
}

// sweeper sends pending replies that nobody alive is sending, every interval while it holds the sweep lease.
type sweeper struct {
	eng   *flows.Engine
	locks *redis.Locks
	owner string
	every time.Duration
	log   *slog.Logger

	stop context.CancelFunc
	wg   sync.WaitGroup
}

// Start runs the sweeps in the background until Stop.
func (s *sweeper) Start(ctx context.Context) error {
	ctx, s.stop = context.WithCancel(context.WithoutCancel(ctx))
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(s.every)
		defer t.Stop()
		for {
			s.sweep(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return nil
}

// sweep runs one sweep if this replica takes the lease. The lease is not released: it expires just before the
// next interval, so each interval one replica sweeps (two at once would be safe, only wasteful: every reply is
// claimed before it is sent).
func (s *sweeper) sweep(ctx context.Context) {
	ok, err := s.locks.Acquire(ctx, "outbox:sweep", s.owner, s.every*9/10)
	if err != nil || !ok {
		if err != nil && ctx.Err() == nil {
			s.log.Error("outbox sweep lease", "err", err)
		}
		return
	}
	n, err := s.eng.Sweep(ctx, sweepBatch)
	if err != nil && ctx.Err() == nil {
		s.log.Error("outbox sweep", "err", err)
	}
	if n > 0 {
		s.log.Info("pending replies sent again", "count", n)
	}
}

// Stop ends the sweeps, waiting for the one running (its sends end with ctx).
func (s *sweeper) Stop(ctx context.Context) error {
	if s.stop == nil {
		return nil
	}
	s.stop()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("outbox sweeper: %w", ctx.Err())
	}
}
