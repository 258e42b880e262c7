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
func TestRoundTripsPerUpdate(t *testing.T) {
	conn := redistest.Open(t, redistest.DBRedis)
	rt := &redis.RoundTrips{}
	conn.Client.AddHook(rt)
	h := flowtest.NewHarness(t, redis.NewStore(conn.Client), setup)
	steps := []func(){
		func() { h.Say("rt", "/start") },
		func() { h.Press("rt", "English") },
		func() { h.Press("rt", "Sounds good") },
		func() { h.Press("rt", "Yes, keep them") },
		func() { h.Press("rt", "No") },
		func() { h.Press("rt", "Continue as guest") },
		func() { h.Press("rt", "Denmark") },
		func() { h.Press("rt", "22:00–07:00") },
		func() { h.Say("rt", "/privacy") },
		func() { h.Say("rt", "/settings") },
	}
	// Warm the script cache so the count shows the steady state (a cold cache costs one EVAL once per server).
	h.Say("warm", "/start")
	for i, step := range steps {
		rt.Reset()
		step()
		if n := rt.Count(); n > 2 {
			t.Errorf("step %d took %d round trips, want ≤ 2", i, n)
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
	pending := []flows.Reply{{Text: "reminder"}}
	if err := s.Save(ctx, "p2", flows.Snapshot{Profile: p}, "task:1", pending); err != nil {
		t.Fatal(err)
	}
	snap, _ := s.Load(ctx, "p2", "task:1")
	if !snap.Seen || len(snap.Pending) != 1 || snap.Pending[0].Text != "reminder" {
		t.Fatalf("pending not kept: %+v", snap)
	}
	if err := s.Ack(ctx, "p2", "task:1"); err != nil {
		t.Fatal(err)
	}
	snap, _ = s.Load(ctx, "p2", "task:1")
	if !snap.Seen || len(snap.Pending) != 0 {
		t.Fatalf("after ack: %+v", snap)
	}
	ttl, _ := conn.Client.PTTL(ctx, "mb:{p2}:seen:task:1").Result()
	if ttl <= 0 {
		t.Fatalf("ack lost the mark's TTL: %v", ttl)
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
