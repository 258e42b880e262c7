package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/m4pris/mentorbot/bot/redis"
)

// countRoundTrips adds bot/redis's round-trip hook to Main's Redis client and exports its count as
// mentorbot_redis_roundtrips_total: one per command and one per pipeline or transaction, whatever issued it (the
// engine, the schedulers' tick locks, the asynq queue and worker, which share the client). Divided by
// mentorbot_updates_total over a busy period it is the round trips an update costs (the budget is two; asynq's
// polling adds a steady few a second that an idle period shows).
func (m *Main) countRoundTrips() *redis.RoundTrips {
	rt := &redis.RoundTrips{}
	m.Conn.Client.AddHook(rt)
	m.Metrics.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "mentorbot_redis_roundtrips_total",
		Help: "Redis round trips: one per command, one per pipeline or transaction (engine, schedulers and queue).",
	}, func() float64 { return float64(rt.Count()) }))
	return rt
}
