package slack

import (
	"context"
	"errors"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
)

// fakeTime is a clock that moves only when the pacer sleeps, recording each wait.
type fakeTime struct {
	now   time.Time
	waits []time.Duration
}

func (f *fakeTime) install(p *pacer) {
	p.now = func() time.Time { return f.now }
	p.sleep = func(_ context.Context, d time.Duration) error {
		if d > 0 {
			f.waits = append(f.waits, d)
			f.now = f.now.Add(d)
		}
		return nil
	}
}

func TestPacerSpacesOneChannel(t *testing.T) {
	p := newPacer(time.Second)
	clock := &fakeTime{now: time.Unix(1000, 0)}
	clock.install(p)
	ok := func() error { return nil }
	ctx := context.Background()
	for _, ch := range []string{"D1", "D1", "D2", "", "", "D1"} {
		if err := p.do(ctx, ch, ok); err != nil {
			t.Fatal(err)
		}
	}
	// D1's second message waits a second; D2 and calls without a channel do not wait; D1's third waits for its
	// own slot.
	want := []time.Duration{time.Second, time.Second}
	if len(clock.waits) != 2 || clock.waits[0] != want[0] || clock.waits[1] != want[1] {
		t.Fatalf("waits %v, want %v", clock.waits, want)
	}
}

func TestPacerHonoursRetryAfter(t *testing.T) {
	p := newPacer(0)
	clock := &fakeTime{now: time.Unix(1000, 0)}
	clock.install(p)
	calls := 0
	err := p.do(context.Background(), "D1", func() error {
		calls++
		if calls == 1 {
			return &slackapi.RateLimitedError{RetryAfter: 7 * time.Second}
		}
		return nil
	})
	if err != nil || calls != 2 {
		t.Fatalf("err %v after %d calls", err, calls)
	}
	if len(clock.waits) != 1 || clock.waits[0] != 7*time.Second {
		t.Fatalf("waits %v, want [7s]", clock.waits)
	}
	// The pause holds other channels too: Slack's limit is per app, not per channel, after a 429.
	p.hold(5 * time.Second)
	_ = p.do(context.Background(), "D2", func() error { return nil })
	if last := clock.waits[len(clock.waits)-1]; last != 5*time.Second {
		t.Fatalf("other channel waited %v, want 5s", last)
	}
	// A call that keeps being limited gives up with the error.
	limited := &slackapi.RateLimitedError{RetryAfter: time.Second}
	err = p.do(context.Background(), "D3", func() error { return limited })
	if !errors.As(err, &limited) {
		t.Fatalf("want the rate-limit error after retries, got %v", err)
	}
}

// countMetrics counts the Metrics calls.
type countMetrics struct{ sent, limited, retried int }

func (c *countMetrics) Sent()        { c.sent++ }
func (c *countMetrics) RateLimited() { c.limited++ }
func (c *countMetrics) Retried()     { c.retried++ }

// TestPacerCountsRateLimits: every 429 counts, but only the calls made again count as retries; one that gives up
// after maxRateRetries is not retried once more.
func TestPacerCountsRateLimits(t *testing.T) {
	p := newPacer(0)
	(&fakeTime{now: time.Unix(1000, 0)}).install(p)
	m := &countMetrics{}
	p.m = m
	calls := 0
	_ = p.do(context.Background(), "D1", func() error {
		calls++
		return &slackapi.RateLimitedError{RetryAfter: time.Second}
	})
	if calls != maxRateRetries+1 || m.limited != calls || m.retried != maxRateRetries {
		t.Fatalf("%d calls: counted %d rate limited, %d retried", calls, m.limited, m.retried)
	}
	if err := p.do(context.Background(), "D1", func() error { return errors.New("channel_not_found") }); err == nil || m.limited != calls {
		t.Fatalf("another error: %v, counted %d rate limited", err, m.limited)
	}
}
