package nudge_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/nudge"
	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/flows/flowtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestOneReplicaPerTick runs two schedulers on one Redis through 60 simulated minutes, firing both at every tick at
// once: every job runs exactly once in each tick it is due, and never in a tick it is not.
func TestOneReplicaPerTick(t *testing.T) {
	conn := redistest.Open(t, redistest.DBNudge)
	clock := flowtest.NewClock(time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC))
	var mu sync.Mutex
	runs := map[string]int{} // job@tick → runs
	byOwner := map[string]int{}
	specs := map[string]string{"every": "* * * * *", "five": "*/5 * * * *", "hourly": "0 * * * *", "plan": "*/15 * * * *"}
	var scheds []*nudge.Scheduler
	for range 2 {
		s := nudge.NewScheduler(redis.NewTickLocks(conn.Client), clock, quiet)
		for name, spec := range specs {
			err := s.Add(nudge.Job{Name: name, Spec: spec, Run: func(_ context.Context, tick time.Time) error {
				mu.Lock()
				runs[name+"@"+tick.Format(time.RFC3339)]++
				byOwner[s.Owner()]++
				mu.Unlock()
				return nil
			}})
			if err != nil {
				t.Fatal(err)
			}
		}
		scheds = append(scheds, s)
	}
	start := clock.Now()
	for i := range 60 {
		tick := start.Add(time.Duration(i) * time.Minute)
		clock.Set(tick)
		var wg sync.WaitGroup
		for _, s := range scheds {
			wg.Add(1)
			go func() { defer wg.Done(); s.Tick(context.Background(), tick) }()
		}
		wg.Wait()
	}
	want := map[string]int{}
	for i := range 60 {
		tick := start.Add(time.Duration(i) * time.Minute)
		want["every@"+tick.Format(time.RFC3339)] = 1
		if tick.Minute()%5 == 0 {
			want["five@"+tick.Format(time.RFC3339)] = 1
		}
		if tick.Minute() == 0 {
			want["hourly@"+tick.Format(time.RFC3339)] = 1
		}
		if tick.Minute()%15 == 0 {
			want["plan@"+tick.Format(time.RFC3339)] = 1
		}
	}
	if len(runs) != len(want) {
		t.Errorf("%d job ticks ran, want %d", len(runs), len(want))
	}
	for k, n := range want {
		if runs[k] != n {
			t.Errorf("%s ran %d times, want %d", k, runs[k], n)
		}
	}
	for k := range runs {
		if want[k] == 0 {
			t.Errorf("%s ran but was not due", k)
		}
	}
	if total := byOwner[scheds[0].Owner()] + byOwner[scheds[1].Owner()]; total != len(want) {
		t.Errorf("runs by owner add up to %d, want %d", total, len(want))
	}
}

// TestLateReplicaSameTick: a replica whose cron fires later for a tick that already ran does not run it again;
// after a failed run the lock is released and the later replica does run it.
func TestLateReplicaSameTick(t *testing.T) {
	conn := redistest.Open(t, redistest.DBNudge)
	clock := flowtest.NewClock(time.Date(2026, 10, 25, 0, 59, 0, 0, time.UTC))
	tick := clock.Now()
	var runs int
	fail := true
	mk := func() *nudge.Scheduler {
		s := nudge.NewScheduler(redis.NewTickLocks(conn.Client), clock, quiet)
		if err := s.Add(nudge.Job{Name: "j", Spec: "* * * * *", Run: func(context.Context, time.Time) error {
			runs++
			if fail {
				return errors.New("boom")
			}
			return nil
		}}); err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := mk(), mk()
	a.Tick(context.Background(), tick)
	fail = false
	b.Tick(context.Background(), tick.Add(20*time.Second)) // b's cron fires late, same minute
	a.Tick(context.Background(), tick.Add(40*time.Second))
	if runs != 2 {
		t.Fatalf("job ran %d times, want 2 (a failed, b retried, a skipped)", runs)
	}
}

// TestLockOwnership: only the owner releases or keeps a lock.
func TestLockOwnership(t *testing.T) {
	conn := redistest.Open(t, redistest.DBNudge)
	l := redis.NewTickLocks(conn.Client)
	ctx := context.Background()
	tick := time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)
	ok, err := l.Acquire(ctx, "j", tick, "A", time.Minute)
	if err != nil || !ok {
		t.Fatalf("A acquire: %v %v", ok, err)
	}
	if ok, _ := l.Acquire(ctx, "j", tick, "B", time.Minute); ok {
		t.Fatal("B took a lock A holds")
	}
	if err := l.Release(ctx, "j", tick, "B"); err != nil {
		t.Fatal(err)
	}
	if err := l.Keep(ctx, "j", tick, "B", time.Hour); err != nil {
		t.Fatal(err)
	}
	if o, _ := l.Owner(ctx, "j", tick); o != "A" {
		t.Fatalf("owner after B's release = %q, want A", o)
	}
	if err := l.Release(ctx, "j", tick, "A"); err != nil {
		t.Fatal(err)
	}
	if o, _ := l.Owner(ctx, "j", tick); o != "" {
		t.Fatalf("owner after A's release = %q, want none", o)
	}
	if ok, _ := l.Acquire(ctx, "j", tick, "B", time.Minute); !ok {
		t.Fatal("B could not take the released lock")
	}
	if ok, _ := l.Acquire(ctx, "j", tick.Add(time.Minute), "A", time.Minute); !ok {
		t.Fatal("the next tick's lock is separate")
	}
}

func TestBadSpec(t *testing.T) {
	s := nudge.NewScheduler(nil, flowtest.NewClock(time.Now()), quiet)
	if err := s.Add(nudge.Job{Name: "x", Spec: "every tuesday"}); err == nil {
		t.Fatal("a bad spec was accepted")
	}
}
