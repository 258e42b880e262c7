package main

import (
	"context"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// buildNudge adds the schedulers and the delivery queue. Until the queue worker exists, a deadline sweeper runs
// conversation timeouts.
func buildNudge(ctx context.Context, m *Main, p *parts) error {
	p.workers = append(p.workers, &deadlineSweeper{m: m, every: 30 * time.Second})
	return nil
}

// deadlineSweeper fires the timeouts of conversation steps whose deadline passed.
type deadlineSweeper struct {
	m      *Main
	every  time.Duration
	cancel context.CancelFunc
	done   chan struct{}
}

func (d *deadlineSweeper) Start(ctx context.Context) error {
	ctx, d.cancel = context.WithCancel(context.WithoutCancel(ctx))
	d.done = make(chan struct{})
	go func() {
		defer close(d.done)
		t := time.NewTicker(d.every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				d.sweep(ctx)
			}
		}
	}()
	return nil
}

func (d *deadlineSweeper) sweep(ctx context.Context) {
	now := d.m.Clock.Now()
	ids, err := d.m.Store.DueDeadlines(ctx, now)
	if err != nil {
		d.m.Log.Error("deadline sweep", "err", err)
		return
	}
	for _, pid := range ids {
		t := flows.Task{ID: "deadline:" + pid + ":" + now.Truncate(time.Minute).Format(time.RFC3339), Profile: pid, Job: flows.JobDeadline}
		if err := d.m.Engine.RunTask(ctx, t); err != nil {
			d.m.Log.Error("deadline task", "err", err)
		}
	}
}

func (d *deadlineSweeper) Stop(ctx context.Context) error {
	d.cancel()
	select {
	case <-d.done:
	case <-ctx.Done():
	}
	return nil
}
