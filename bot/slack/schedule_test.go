package slack

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

// fakeTime is a clock that moves only when the schedule sleeps, recording each wait.
type fakeTime struct {
	now   time.Time
	waits []time.Duration
}

func (f *fakeTime) install(s *schedule) {
	s.now = func() time.Time { return f.now }
	s.sleep = func(_ context.Context, d time.Duration) error {
		if d > 0 {
			f.waits = append(f.waits, d)
			f.now = f.now.Add(d)
		}
		return nil
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestScheduleSpacesOneChannelAfterItsBurst(t *testing.T) {
	s := newSchedule(Rate{Every: time.Second, Burst: 2}, false, nil, quiet())
	clock := &fakeTime{now: time.Unix(1000, 0)}
	clock.install(s)
	ctx := context.Background()
	for _, ch := range []string{"D1", "D1", "D1", "D2", "D1"} {
		if err := s.wait(ctx, methodPost, ch); err != nil {
			t.Fatal(err)
		}
	}
	// Two messages to D1 go at once (the burst), the third a second after the first; D2 waits only for the
	// workspace's pace (300 a minute, far inside its burst of 10); D1's fourth a second after its third.
	want := []time.Duration{time.Second, time.Second}
	if len(clock.waits) != 2 || clock.waits[0] != want[0] || clock.waits[1] != want[1] {
		t.Fatalf("waits %v, want %v", clock.waits, want)
	}
}

func TestScheduleKeepsEachMethodsTier(t *testing.T) {
	s := newSchedule(Rate{Every: time.Second, Burst: 3}, false, nil, quiet())
	clock := &fakeTime{now: time.Unix(1000, 0)}
	clock.install(s)
	ctx := context.Background()
	// conversations.open is Tier 3: 50 a minute with a burst of 5, so the sixth call waits 1.2 s.
	for range 6 {
		if err := s.wait(ctx, methodOpen, "D1"); err != nil {
			t.Fatal(err)
		}
	}
	if len(clock.waits) != 1 || clock.waits[0] != 1200*time.Millisecond {
		t.Fatalf("waits %v, want [1.2s] for the sixth Tier 3 call", clock.waits)
	}
	// users.info (Tier 4) has its own bucket: not held by conversations.open.
	if err := s.wait(ctx, methodUserInfo, ""); err != nil || len(clock.waits) != 1 {
		t.Fatalf("users.info waited (%v): %v", err, clock.waits)
	}
}

func TestSchedulePauseHoldsOnlyThatMethod(t *testing.T) {
	s := newSchedule(Rate{}, true, nil, quiet()) // pacing off: only pauses hold
	clock := &fakeTime{now: time.Unix(1000, 0)}
	clock.install(s)
	ctx := context.Background()
	s.pause(ctx, methodPost, 7*time.Second)
	s.pause(ctx, methodPost, time.Second) // a shorter pause does not shorten it
	if err := s.wait(ctx, methodUpdate, ""); err != nil || len(clock.waits) != 0 {
		t.Fatalf("chat.update was held by a chat.postMessage pause: %v %v", err, clock.waits)
	}
	// A file shared in a channel is a message too: held with the posts.
	if err := s.wait(ctx, methodComplete, "D9"); err != nil || len(clock.waits) != 1 || clock.waits[0] != 7*time.Second {
		t.Fatalf("waits %v (%v), want [7s]", clock.waits, err)
	}
}

// failingRates is a shared schedule whose server is down.
type failingRates struct{ calls int }

func (f *failingRates) Reserve(context.Context, string, Rate, string, Rate) (time.Duration, error) {
	f.calls++
	return 0, errors.New("connection refused")
}

func (f *failingRates) Pause(context.Context, string, time.Duration) error {
	return errors.New("connection refused")
}

// TestScheduleFallsBackWhenTheSharedOneFails: with Redis down the process paces itself, and asks the shared
// schedule again only after sharedBackoff, so that every call does not wait for a dead server.
func TestScheduleFallsBackWhenTheSharedOneFails(t *testing.T) {
	shared := &failingRates{}
	s := newSchedule(Rate{Every: time.Second, Burst: 1}, false, shared, quiet())
	clock := &fakeTime{now: time.Unix(1000, 0)}
	clock.install(s)
	ctx := context.Background()
	for range 3 {
		if err := s.wait(ctx, methodPost, "D1"); err != nil {
			t.Fatal(err)
		}
	}
	if shared.calls != 1 {
		t.Fatalf("the dead shared schedule was asked %d times within its backoff", shared.calls)
	}
	if len(clock.waits) != 2 || clock.waits[0] != time.Second {
		t.Fatalf("local pacing while the shared schedule is down: waits %v", clock.waits)
	}
	clock.now = clock.now.Add(sharedBackoff)
	_ = s.wait(ctx, methodPost, "D2")
	if shared.calls != 2 {
		t.Fatalf("the shared schedule was not asked again after its backoff (%d calls)", shared.calls)
	}
}
