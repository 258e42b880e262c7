package redis_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
	"github.com/m4pris/mentorbot/flows/programme"
	"github.com/m4pris/mentorbot/flows/seal"
)

func setup(e *flows.Engine, b flowtest.Backend) {
	programme.Register(e, programme.Deps{Directory: b, Invites: b, Links: b, Checkins: b.(*redis.Store), Sealer: seal.NewRandom()})
}

// keyCounter counts a profile's keys in Redis, for the erasure assertions.
func keyCounter(c redis.Client) func(pid string) int {
	return func(pid string) int {
		keys, err := c.Keys(context.Background(), "mb:{"+pid+"}:*").Result()
		if err != nil {
			panic(err)
		}
		n := len(keys)
		for _, idx := range []string{"mb:users", "mb:role:guest", "mb:role:mentee", "mb:role:mentor", "mb:role:coordinator"} {
			if ok, _ := c.SIsMember(context.Background(), idx, pid).Result(); ok {
				n++
			}
		}
		return n
	}
}

// TestTranscriptsOnRedis runs the programme's conversation scripts against the Redis store.
func TestTranscriptsOnRedis(t *testing.T) {
	files, _ := filepath.Glob("../../flows/programme/testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no transcripts found")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			conn := redistest.Open(t, redistest.DBRedis)
			h := flowtest.NewHarness(t, redis.NewStore(conn.Client), setup, "coord")
			h.Keys = keyCounter(conn.Client)
			h.RunFile(f)
		})
	}
}

// TestRoundTripsPerUpdate holds every update of an onboarding to the budget: one round trip to load, one to save.
// Two kinds of update cost more, once: a user's first (its load also looks for the previous build's keys, and its
// save enters the user in the global indexes) and one that changes what the indexes hold (here: joining as a guest).
func TestRoundTripsPerUpdate(t *testing.T) {
	conn := redistest.Open(t, redistest.DBRedis)
	rt := &redis.RoundTrips{}
	conn.Client.AddHook(rt)
	h := flowtest.NewHarness(t, redis.NewStore(conn.Client), setup)
	steps := []struct {
		budget int64
		step   func()
	}{
		{4, func() { h.Say("rt", "/start") }},
		{2, func() { h.Press("rt", "English") }},
		{2, func() { h.Press("rt", "Sounds good") }},
		{2, func() { h.Press("rt", "Yes, keep them") }},
		{2, func() { h.Press("rt", "No") }},
		{3, func() { h.Press("rt", "Continue as guest") }},
		{2, func() { h.Press("rt", "Denmark") }},
		{2, func() { h.Press("rt", "22:00–07:00") }},
		{2, func() { h.Say("rt", "/privacy") }},
		{2, func() { h.Say("rt", "/settings") }},
	}
	// Warm the script cache so the count shows the steady state (a cold cache costs one EVAL once per server).
	h.Say("warm", "/start")
	for i, s := range steps {
		rt.Reset()
		s.step()
		if n := rt.Count(); n > s.budget {
			t.Errorf("step %d took %d round trips, want ≤ %d", i, n, s.budget)
		}
	}
}

func TestSaveConflict(t *testing.T) {
	conn := redistest.Open(t, redistest.DBRedis)
	s := redis.NewStore(conn.Client)
	ctx := context.Background()
	p := &flows.Profile{ID: "p1", Lang: "en"}
	if err := s.Save(ctx, "p1", flows.Snapshot{Profile: p}, "e1", nil); err != nil {
		t.Fatal(err)
	}
	// A second writer that loaded before the first save must fail, not overwrite.
	if err := s.Save(ctx, "p1", flows.Snapshot{Profile: p, Rev: 0}, "e2", nil); err != flows.ErrConflict {
		t.Fatalf("stale save: %v, want ErrConflict", err)
	}
	snap, err := s.Load(ctx, "p1", "e1")
	if err != nil || !snap.Seen || snap.Rev != 1 {
		t.Fatalf("load: %+v %v", snap, err)
	}
	snap, _ = s.Load(ctx, "p1", "e2")
	if snap.Seen {
		t.Fatal("the conflicting event must not be marked handled")
	}
}

func TestPendingRepliesUntilAck(t *testing.T) {
	conn := redistest.Open(t, redistest.DBRedis)
	s := redis.NewStore(conn.Client)
	ctx := context.Background()
	p := &flows.Profile{ID: "p2", Lang: "en"}
	out := &flows.Outbound{Profile: "p2", Event: "task:1", Replies: []flows.Reply{{Text: "reminder"}, {Text: "and more"}}}
	if err := s.Save(ctx, "p2", flows.Snapshot{Profile: p}, "task:1", out); err != nil {
		t.Fatal(err)
	}
	// Pending, but this process is sending them: a redelivery must not take them.
	if snap, _ := s.Load(ctx, "p2", "task:1"); !snap.Seen {
		t.Fatal("the event is not marked handled")
	}
	if o, err := s.Claim(ctx, "p2", "task:1"); err != nil || o != nil {
		t.Fatalf("claimed from a live sender: %+v %v", o, err)
	}
	if err := s.Ack(ctx, "p2", "task:1", 1, false); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(ctx, "p2", "task:1"); err != nil {
		t.Fatal(err)
	}
	// Released: another sender takes the rest, from the part after the one acknowledged.
	other := redis.NewStore(conn.Client)
	o, err := other.Claim(ctx, "p2", "task:1")
	if err != nil || o == nil || o.Sent != 1 || len(o.Replies) != 2 || o.Replies[1].Text != "and more" {
		t.Fatalf("claim after release: %+v %v", o, err)
	}
	if again, _ := s.Claim(ctx, "p2", "task:1"); again != nil {
		t.Fatal("claimed twice")
	}
	if err := o.Done(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := conn.Client.Exists(ctx, "mb:{p2}:out").Result(); n != 0 {
		t.Fatal("the outbox outlived its last entry")
	}
	if snap, _ := s.Load(ctx, "p2", "task:1"); !snap.Seen {
		t.Fatal("done replies forgot that the event was handled")
	}
}

func TestScriptCacheLoss(t *testing.T) {
	conn := redistest.Open(t, redistest.DBRedis)
	s := redis.NewStore(conn.Client)
	ctx := context.Background()
	p := &flows.Profile{ID: "p3", Lang: "en"}
	if err := s.Save(ctx, "p3", flows.Snapshot{Profile: p}, "", nil); err != nil {
		t.Fatal(err)
	}
	if err := conn.Client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, "p3", flows.Snapshot{Profile: p, Rev: 1}, "", nil); err != nil {
		t.Fatalf("save after script flush: %v", err)
	}
}

func TestInvitesSingleUse(t *testing.T) {
	conn := redistest.Open(t, redistest.DBRedis)
	s := redis.NewStore(conn.Client)
	ctx := context.Background()
	inv := flows.Invite{Role: flows.Mentor, By: "c", Expires: time.Now().Add(time.Hour)}
	if err := s.PutInvite(ctx, "h1", inv); err != nil {
		t.Fatal(err)
	}
	keys, _ := conn.Client.Keys(ctx, "mb:invite:*").Result()
	for _, k := range keys {
		if !strings.HasSuffix(k, ":h1") {
			t.Fatalf("unexpected invite key %q", k)
		}
	}
	got, ok, err := s.TakeInvite(ctx, "h1")
	if err != nil || !ok || got.Role != flows.Mentor {
		t.Fatalf("take: %+v %v %v", got, ok, err)
	}
	if _, ok, _ := s.TakeInvite(ctx, "h1"); ok {
		t.Fatal("an invite worked twice")
	}
}

func TestRedisDownIsAnError(t *testing.T) {
	// A client pointed at a closed port: the engine must report the failure (so webhooks answer 5xx) and give
	// the user a kind "try again" reply, never a panic.
	c := goredis.NewUniversalClient(&goredis.UniversalOptions{Addrs: []string{"127.0.0.1:1"}, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer c.Close()
	e := flows.New(flows.Options{Store: redis.NewStore(c), Clock: flows.ClockFunc(time.Now), Content: content.MustDefault()})
	setup(e, redis.NewStore(c))
	res, err := e.Handle(context.Background(), flows.TextEvent(flowtest.Identity("x"), "/start"))
	if err == nil {
		t.Fatal("want an error while Redis is down")
	}
	if got := flowtest.Text(res.Replies); !strings.Contains(got, "try again") {
		t.Fatalf("reply while down: %q", got)
	}
}

// BenchmarkOnboardingStep measures one update end to end through the engine and the Redis store: a new user's
// choice of language (load, flow step, save), the first step of onboarding.
func BenchmarkOnboardingStep(b *testing.B) {
	conn := redistest.Open(b, redistest.DBRedis)
	rt := &redis.RoundTrips{}
	conn.Client.AddHook(rt)
	h := flowtest.NewHarness(b, redis.NewStore(conn.Client), setup)
	b.ReportAllocs()
	var trips int64
	for i := range b.N {
		b.StopTimer()
		user := "bench" + strconv.Itoa(i)
		h.Say(user, "/start")
		rt.Reset()
		b.StartTimer()
		h.Press(user, "English")
		trips += rt.Count()
	}
	b.ReportMetric(float64(trips)/float64(b.N), "roundtrips/op")
}
