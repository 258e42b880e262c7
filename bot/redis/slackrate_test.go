package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
)

// TestSlackRatesPerMethodAndChannel: two replicas share each method's schedule; posts count per channel too; a
// pause after a rate-limited post holds the posts of every replica and nothing else.
func TestSlackRatesPerMethodAndChannel(t *testing.T) {
	ctx := context.Background()
	conn := redistest.Open(t, redistest.DBRedis)
	a, b := redis.NewSlackRates(conn.Client, "ws1"), redis.NewSlackRates(conn.Client, "ws1")
	overall := redis.Rate{Every: 200 * time.Millisecond, Burst: 10} // the adapter's posts: 300 a minute
	channel := redis.Rate{Every: time.Second, Burst: 1}
	start := time.Now()
	if w, err := a.Reserve(ctx, "messages", overall, "D1", channel); err != nil || w != 0 {
		t.Fatalf("first post waits %v (%v)", w, err)
	}
	// The other replica's post to the same channel waits for the channel's next second.
	w, err := b.Reserve(ctx, "messages", overall, "D1", channel)
	if err != nil || !near(w, time.Second, time.Since(start)) {
		t.Fatalf("second post to D1 from another replica waits %v (%v), want about 1 s", w, err)
	}
	// Another channel, and another method, are not held by D1's schedule.
	if w, err := b.Reserve(ctx, "messages", overall, "D2", channel); err != nil || w != 0 {
		t.Fatalf("a post to D2 waits %v (%v)", w, err)
	}
	if w, err := b.Reserve(ctx, "chat.update", overall, "", channel); err != nil || w != 0 {
		t.Fatalf("chat.update waits %v (%v)", w, err)
	}

	paused := time.Now()
	if err := a.Pause(ctx, "messages", 3*time.Second); err != nil {
		t.Fatal(err)
	}
	w, err = b.Reserve(ctx, "messages", overall, "D3", channel)
	if err != nil || !near(w, 3*time.Second, time.Since(paused)) {
		t.Fatalf("a post after a 3 s pause waits %v (%v)", w, err)
	}
	if w, err := b.Reserve(ctx, "users.info", overall, "", channel); err != nil || w != 0 {
		t.Fatalf("users.info was held by the posts' pause: %v (%v)", w, err)
	}
	// Another workspace has its own schedule.
	if w, err := redis.NewSlackRates(conn.Client, "ws2").Reserve(ctx, "messages", overall, "D1", channel); err != nil || w != 0 {
		t.Fatalf("another workspace waits %v (%v)", w, err)
	}
}
