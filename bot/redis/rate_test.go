package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
)

// near reports whether a wait got is the nominal wait want, less at most the time passed since the first booking
// (the schedule is relative to that booking; the wait to now).
func near(got, want, passed time.Duration) bool {
	return got <= want && got >= want-passed-5*time.Millisecond
}

// TestRatesSharedSchedule: two replicas (two Rates values with one name) book one schedule; a message counts
// against the chat's bucket and the overall one, a light call only overall; a pause holds everyone.
func TestRatesSharedSchedule(t *testing.T) {
	ctx := context.Background()
	conn := redistest.Open(t, redistest.DBRedis)
	a, b := redis.NewRates(conn.Client, "bot1"), redis.NewRates(conn.Client, "bot1")
	overall := redis.Rate{Every: 100 * time.Millisecond, Burst: 1}
	chat := redis.Rate{Every: time.Second, Burst: 3}
	start := time.Now()
	w, err := a.Reserve(ctx, overall, "7", chat, "lmmm")
	if err != nil {
		t.Fatal(err)
	}
	// Overall one call each 100 ms; the chat's burst of 3 lets three messages go at the overall pace.
	for i, want := range []time.Duration{0, 100, 200, 300} {
		if !near(w[i], want*time.Millisecond, time.Since(start)) {
			t.Fatalf("call %d waits %v, want about %v (all: %v)", i, w[i], want*time.Millisecond, w)
		}
	}
	// Another replica, same chat: the chat's burst is spent, so its message waits for the chat's next second
	// (the first message went at 100 ms, so its fourth may go at 1.1 s).
	w, err = b.Reserve(ctx, overall, "7", chat, "m")
	if err != nil {
		t.Fatal(err)
	}
	if !near(w[0], 1100*time.Millisecond, time.Since(start)) {
		t.Fatalf("fourth message to the chat waits %v, want about 1.1 s less the time passed", w[0])
	}
	// A different chat is held only by the overall schedule, now booked up to 1.2 s.
	w, err = b.Reserve(ctx, overall, "8", chat, "m")
	if err != nil {
		t.Fatal(err)
	}
	if !near(w[0], 1200*time.Millisecond, time.Since(start)) {
		t.Fatalf("other chat waits %v, want about 1.2 s less the time passed", w[0])
	}
	// Another bot's schedule is its own.
	w, err = redis.NewRates(conn.Client, "bot2").Reserve(ctx, overall, "7", chat, "m")
	if err != nil || w[0] != 0 {
		t.Fatalf("another bot waits %v, %v; want 0", w, err)
	}

	// A 429 seen by one replica pauses the other.
	paused := time.Now()
	if err := a.Pause(ctx, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := a.Pause(ctx, time.Second); err != nil { // a shorter pause does not shorten it
		t.Fatal(err)
	}
	w, err = b.Reserve(ctx, overall, "", chat, "l")
	if err != nil {
		t.Fatal(err)
	}
	if !near(w[0], 3*time.Second, time.Since(paused)) {
		t.Fatalf("after a 3 s pause the next call waits %v", w[0])
	}
}

// TestRatesIdleKeysExpire: the buckets are kept only while they matter, so chats do not pile up in Redis.
func TestRatesIdleKeysExpire(t *testing.T) {
	ctx := context.Background()
	conn := redistest.Open(t, redistest.DBRedis)
	r := redis.NewRates(conn.Client, "bot1")
	if _, err := r.Reserve(ctx, redis.Rate{Every: time.Millisecond, Burst: 1}, "9", redis.Rate{Every: time.Second, Burst: 1}, "m"); err != nil {
		t.Fatal(err)
	}
	keys, err := conn.Client.Keys(ctx, "mb:rate:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 {
		t.Fatalf("keys %v, want the overall and one chat bucket", keys)
	}
	for _, k := range keys {
		ttl, err := conn.Client.PTTL(ctx, k).Result()
		if err != nil || ttl <= 0 || ttl > 3*time.Second {
			t.Fatalf("%s expires in %v (%v), want within a few seconds", k, ttl, err)
		}
	}
}
