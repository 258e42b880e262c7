package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
)

// lifecycle starts serve's components and stops them, asynq style: in the reverse of the order they started, so
// what takes work in (the adapters) stops before what does the work (the queue worker), and what started first is
// stopped last. When one fails to start, the ones already started are stopped before the error is returned.
type lifecycle struct {
	log     *slog.Logger
	started []component
}

// start starts cs in order.
func (l *lifecycle) start(ctx context.Context, cs ...component) error {
	for _, c := range cs {
		if err := c.Start(ctx); err != nil {
			l.stop(context.WithoutCancel(ctx))
			return fmt.Errorf("start: %w", err)
		}
		l.started = append(l.started, c)
	}
	return nil
}

// stop stops every started component, last started first, within ctx. A component that fails to stop is logged
// and the others are still stopped.
func (l *lifecycle) stop(ctx context.Context) {
	for _, c := range slices.Backward(l.started) {
		if err := c.Stop(ctx); err != nil {
			l.log.Error("stop", "err", err)
		}
	}
	l.started = nil
}
