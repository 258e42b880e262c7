package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/programme"
)

// Main is one running mentorbot: Redis, the engine with every flow, and (for serve) the adapters and workers.
// End-to-end tests build it the same way the binary does.
type Main struct {
	Config Config
	Log    *slog.Logger
	Clock  flows.Clock

	Conn    *redis.Conn
	Store   *redis.Store
	Engine  *flows.Engine
	Metrics *Metrics
	// MetricsListener, when set before Serve, serves /metrics apart from the public listener (runServe opens it
	// on MENTORBOT_METRICS_ADDR; tests on a free port).
	MetricsListener net.Listener
}

// Open connects to Redis and builds the engine. queue may be nil (set later with SetQueue).
func Open(ctx context.Context, cfg Config, log *slog.Logger, queue flows.Queue) (*Main, error) {
	cat, err := content.Default()
	if err != nil {
		return nil, fmt.Errorf("load content: %w", err)
	}
	conn, err := redis.Open(ctx, cfg.RedisURL, log)
	if err != nil {
		return nil, err
	}
	ephemeralKeys(&cfg, conn.Embedded != nil, log)
	m := &Main{Config: cfg, Log: log, Clock: flows.ClockFunc(time.Now), Conn: conn, Store: redis.NewStore(conn.Client), Metrics: newMetrics()}
	m.Store.Log = log
	m.countRoundTrips()
	m.Engine = flows.New(flows.Options{
		Store: m.Store, Clock: m.Clock, Content: cat, Queue: queue, Admins: cfg.Admins, Logger: log,
		Observe: m.Metrics.observe, LogKey: []byte(cfg.LogKey), RatePerMinute: cfg.RatePerMinute,
	})
	deps := programme.Deps{
		Directory: m.Store, Invites: m.Store,
		LessonFeedback: redis.NewLessonFeedback(conn.Client),
		Links:          m.Store,
		MentorCapacity: cfg.MentorCapacity,
	}
	if err := checkinDeps(cfg, m, log, &deps); err != nil {
		conn.Close()
		return nil, err
	}
	if deps.Sealer != nil {
		m.Store.Sealer = deps.Sealer // replies kept until sent may show a check-in result: sealed like one
	}
	programme.Register(m.Engine, deps)
	return m, nil
}

// Close releases Redis (and stops an embedded server). The store goes first: the replies it was still sending
// become free for another replica to send at once.
func (m *Main) Close() error {
	m.Store.Close()
	return m.Conn.Close()
}
