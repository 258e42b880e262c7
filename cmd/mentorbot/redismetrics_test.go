package main

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/flows"
)

// roundTripsMetric reads mentorbot_redis_roundtrips_total{via} from m's registry, as /metrics serves it.
func roundTripsMetric(_ *testing.T, m *Main, via string) float64 {
	return counterSum(m, "mentorbot_redis_roundtrips_total", map[string]string{"via": via})
}

// TestRoundTripsMetric: one command and one pipeline are one round trip each, an update through the engine
// costs its budget of two, and what touches the queue's keys counts as the queue's.
func TestRoundTripsMetric(t *testing.T) {
	redistest.Open(t, redistest.DBCmd) // flushed
	cfg, err := configFromEnv(env(map[string]string{"REDIS_URL": redistest.URL(t, redistest.DBCmd)}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m, err := Open(ctx, cfg, newLogger(io.Discard, "error"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	delta := func(what string, store, queue float64, do func()) {
		t.Helper()
		s0, q0 := roundTripsMetric(t, m, "store"), roundTripsMetric(t, m, "queue")
		do()
		if s, q := roundTripsMetric(t, m, "store")-s0, roundTripsMetric(t, m, "queue")-q0; s != store || q != queue {
			t.Errorf("%s: %v store and %v queue round trips counted, want %v and %v", what, s, q, store, queue)
		}
	}
	pipeline := func() {
		p := m.Conn.Client.Pipeline()
		p.Set(ctx, "rt:a", "1", 0)
		p.Incr(ctx, "rt:b")
		p.Get(ctx, "rt:a")
		if _, err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Opening a connection costs round trips too (HELLO, then SELECT and CLIENT SETINFO pipelined), and go-redis
	// keeps pipelines on connections of their own: the first command and the first pipeline dial. Counted, but not
	// the steady state.
	m.Conn.Client.Ping(ctx)
	pipeline()
	delta("PING", 1, 0, func() { m.Conn.Client.Ping(ctx) })
	delta("a pipeline of three commands", 1, 0, pipeline)
	delta("a queue command", 0, 1, func() { m.Conn.Client.ZCard(ctx, "asynq:{mentorbot}:scheduled") })
	book := func() {
		if _, err := redis.NewRates(m.Conn.Client, "rt").Reserve(ctx, redis.Rate{Every: time.Millisecond, Burst: 1}, "1", redis.Rate{Every: time.Second, Burst: 3}, "lmm"); err != nil {
			t.Fatal(err)
		}
	}
	book() // loads the script into the server's cache
	r0 := roundTripsMetric(t, m, "rate")
	delta("booking a reply set in the send schedule", 0, 0, book)
	if n := roundTripsMetric(t, m, "rate") - r0; n != 1 {
		t.Errorf("booking a reply set: %v rate round trips, want 1", n)
	}
	update := func(user, id string) {
		ev := flows.TextEvent(flows.Identity{Platform: flows.Telegram, ID: user}, "/start")
		ev.ID = id
		if _, err := m.Engine.Handle(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	update("1", "tg:1") // loads the save script into the server's cache
	// A user's first update also looks for the previous build's keys and enters the user in the indexes.
	delta("a new user's update", 4, 0, func() { update("2", "tg:2") })
	delta("an update", 2, 0, func() { update("2", "tg:3") })
	// A redelivery loads and looks for its replies still pending.
	delta("a redelivered update", 2, 0, func() { update("2", "tg:3") })
}
