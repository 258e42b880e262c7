package redis_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/flows/checkin"
)

// TestAlertTakenOnce: many coordinators pressing "I'll take it" at once on several connections leave exactly one
// holder, and every press is told the same one.
func TestAlertTakenOnce(t *testing.T) {
	conn := redistest.Open(t, redistest.DBRedis)
	s := redis.NewStore(conn.Client)
	ctx := context.Background()
	a := checkin.Alert{ID: "a1", Subject: "p", Name: "Anna", Kind: checkin.KindCheckin, Coords: []string{"c0", "c1"}}
	if err := s.PutAlert(ctx, a, time.Hour); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetAlert(ctx, "a1")
	if err != nil || got == nil || got.Name != "Anna" || len(got.Coords) != 2 {
		t.Fatalf("get: %+v %v", got, err)
	}
	var wg sync.WaitGroup
	holders := make([]string, 20)
	for i := range holders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, err := s.AckAlert(ctx, "a1", string(rune('A'+i)), time.Hour)
			if err != nil {
				t.Error(err)
			}
			holders[i] = h
		}()
	}
	wg.Wait()
	for _, h := range holders {
		if h != holders[0] || h == "" {
			t.Fatalf("holders disagree: %v", holders)
		}
	}
	if h, _ := s.AlertHolder(ctx, "a1"); h != holders[0] {
		t.Fatalf("holder %q, presses saw %q", h, holders[0])
	}
	if err := s.DeleteAlert(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.GetAlert(ctx, "a1"); a != nil {
		t.Fatal("alert survived delete")
	}
	if h, _ := s.AlertHolder(ctx, "a1"); h != "" {
		t.Fatal("acknowledgement survived delete")
	}
	if ttl := conn.Client.TTL(ctx, "mb:alert:{a1}").Val(); ttl > 0 {
		t.Fatalf("ttl %v", ttl)
	}
}

func TestTallies(t *testing.T) {
	conn := redistest.Open(t, redistest.DBRedis)
	s := redis.NewStore(conn.Client)
	ctx := context.Background()
	for _, c := range []struct {
		group  string
		score  float64
		scored bool
	}{{"DK", 78.6, true}, {"DK", 14.3, true}, {"DK", 99, false}, {"RO", 50, true}, {"site:a", 10, true}} {
		if err := s.AddTally(ctx, "2026-W48", "pulse", c.group, c.score, c.scored); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Tallies(ctx, "2026-W48", "pulse")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]checkin.Tally{
		"DK": {People: 3, Scored: 2, Sum: 92.9}, "RO": {People: 1, Scored: 1, Sum: 50}, "site:a": {People: 1, Scored: 1, Sum: 10},
	}
	if d := cmp.Diff(want, got, cmp.Comparer(func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 })); d != "" {
		t.Fatalf("(-want +got)\n%s", d)
	}
	if ttl := conn.Client.TTL(ctx, "mb:tally:2026-W48:pulse").Val(); ttl <= 0 {
		t.Fatalf("totals never expire: %v", ttl)
	}
	if other, _ := s.Tallies(ctx, "2026-W47", "pulse"); len(other) != 0 {
		t.Fatalf("another period: %v", other)
	}
}
