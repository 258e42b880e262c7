package telegram

import (
	"context"
	"testing"
	"time"
)

// fakeClock drives a pacer without real waiting: sleeping advances the clock.
type fakeClock struct{ t time.Time }

func pacerAt(l Limits) (*pacer, *fakeClock) {
	c := &fakeClock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	p := newPacer(l)
	p.now = func() time.Time { return c.t }
	p.sleep = func(_ context.Context, d time.Duration) error { c.t = c.t.Add(d); return nil }
	return p, c
}

// sends returns the offsets from the start at which n messages to chat may go.
func sends(t *testing.T, p *pacer, c *fakeClock, chat int64, n int) []time.Duration {
	t.Helper()
	start := c.t
	var out []time.Duration
	for range n {
		if err := p.wait(context.Background(), chat, true); err != nil {
			t.Fatal(err)
		}
		out = append(out, c.t.Sub(start))
	}
	return out
}

func TestPacerPerChat(t *testing.T) {
	p, c := pacerAt(Limits{})
	got := sends(t, p, c, 7, 5)
	// A burst of 3 goes at once, then one a second.
	want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("send times %v, want %v", got, want)
		}
	}
}

func TestPacerGroup(t *testing.T) {
	p, c := pacerAt(Limits{})
	got := sends(t, p, c, -100, 5)
	// 20 a minute: one every 3 s after the burst.
	if got[3] != 3*time.Second || got[4] != 6*time.Second {
		t.Fatalf("group send times %v", got)
	}
}

func TestPacerGlobal(t *testing.T) {
	p, c := pacerAt(Limits{})
	start := c.t
	// 61 chats, one message each: the global rate (30/s, small burst) spreads them over about two seconds.
	for chat := range int64(61) {
		if err := p.wait(context.Background(), chat+1, true); err != nil {
			t.Fatal(err)
		}
	}
	if d := c.t.Sub(start); d < 1800*time.Millisecond || d > 2100*time.Millisecond {
		t.Fatalf("61 messages took %v; want about 2 s at 30/s", d)
	}
}

func TestPacerPause(t *testing.T) {
	p, c := pacerAt(Limits{})
	start := c.t
	p.pause(5 * time.Second)
	// Every kind of call waits, in any chat.
	if err := p.wait(context.Background(), 1, false); err != nil {
		t.Fatal(err)
	}
	if d := c.t.Sub(start); d != 5*time.Second {
		t.Fatalf("light call went after %v, want 5s", d)
	}
	// A shorter pause does not shorten a longer one.
	p.pause(10 * time.Second)
	p.pause(time.Second)
	if err := p.wait(context.Background(), 2, true); err != nil {
		t.Fatal(err)
	}
	if d := c.t.Sub(start); d != 15*time.Second {
		t.Fatalf("message went after %v, want 15s", d)
	}
}

func TestPacerCancel(t *testing.T) {
	p := newPacer(Limits{})
	p.pause(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.wait(ctx, 1, true); err == nil {
		t.Fatal("wait ignored a cancelled context")
	}
}

func TestPacerForgetsIdleChats(t *testing.T) {
	p, c := pacerAt(Limits{})
	for chat := range int64(2000) {
		_ = p.wait(context.Background(), chat+1, true)
	}
	c.t = c.t.Add(time.Hour)
	for range 1100 {
		_ = p.wait(context.Background(), 1, false)
	}
	if n := len(p.chats); n > 1 {
		t.Fatalf("%d idle chat buckets kept", n)
	}
}
