package main

import (
	"context"
	"net"
	"strings"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"
)

// roundTrips counts Redis round trips like bot/redis.RoundTrips (one per command, one per pipeline or
// transaction), split by what they touch: the delivery queue (asynq's keys, asynq:…), the shared send schedule
// (mb:rate:…, one booking per reply set, made by the outbox after the update was answered) or everything else
// (the store: profiles, conversations, locks). The engine, the schedulers and asynq share one client, so the split is
// what tells an update's budget (two) from the queue's own polling and deliveries.
type roundTrips struct {
	store, queue, rate atomic.Int64
}

var _ goredis.Hook = (*roundTrips)(nil)

func (r *roundTrips) count(cmds ...goredis.Cmder) {
	for _, c := range cmds {
		for _, a := range c.Args() {
			s, ok := a.(string)
			switch {
			case !ok:
			case strings.HasPrefix(s, "asynq:"):
				r.queue.Add(1)
				return
			case strings.HasPrefix(s, "mb:rate:"):
				r.rate.Add(1)
				return
			}
		}
	}
	r.store.Add(1)
}

func (r *roundTrips) DialHook(next goredis.DialHook) goredis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

func (r *roundTrips) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		r.count(cmd)
		return next(ctx, cmd)
	}
}

func (r *roundTrips) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		r.count(cmds...)
		return next(ctx, cmds)
	}
}

// countRoundTrips adds the hook to Main's Redis client and exports it as mentorbot_redis_roundtrips_total{via}.
// Divided by mentorbot_updates_total over a busy period, via="store" is the round trips an update costs (the
// budget is two; a task an update queues, and its delivery, show under via="queue" and as an update of their
// own in mentorbot_tasks_total).
func (m *Main) countRoundTrips() {
	rt := &roundTrips{}
	m.Conn.Client.AddHook(rt)
	for via, n := range map[string]*atomic.Int64{"store": &rt.store, "queue": &rt.queue, "rate": &rt.rate} {
		m.Metrics.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "mentorbot_redis_roundtrips_total",
			Help:        "Redis round trips: one per command, one per pipeline or transaction; via=queue for asynq's keys, rate for the shared send schedule, store for the rest.",
			ConstLabels: prometheus.Labels{"via": via},
		}, func() float64 { return float64(n.Load()) }))
	}
}
