package telegram

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// fakeClock drives a pacer without real waiting: sleeping advances the clock.
type fakeClock struct{ t time.Time }

func pacerAt(l Limits) (*pacer, *fakeClock) {
	c := &fakeClock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	p := newPacer(l, nil, nil)
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
	// A burst of 3 goes at the overall pace (a call each 1/30 s), then one a second (2% under: see headroom).
	sec, g := perSecond(1), perSecond(30)
	want := []time.Duration{0, g, 2 * g, sec, 2 * sec}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("send times %v, want %v", got, want)
		}
	}
}

func TestPacerGroup(t *testing.T) {
	p, c := pacerAt(Limits{})
	got := sends(t, p, c, -100, 5)
	// 20 a minute: one every 3 s after the burst (2% under: see headroom).
	if every := perSecond(20.0 / 60); got[3] != every || got[4] != 2*every || every < 3*time.Second || every > 3100*time.Millisecond {
		t.Fatalf("group send times %v", got)
	}
}

func TestPacerGlobal(t *testing.T) {
	p, c := pacerAt(Limits{})
	start := c.t
	// 61 chats, one message each: the global rate (30/s less 2%, no burst) spreads them over about two seconds.
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
	p.pause(context.Background(), 5*time.Second)
	// Every kind of call waits, in any chat.
	if err := p.wait(context.Background(), 1, false); err != nil {
		t.Fatal(err)
	}
	if d := c.t.Sub(start); d != 5*time.Second {
		t.Fatalf("light call went after %v, want 5s", d)
	}
	// A shorter pause does not shorten a longer one.
	p.pause(context.Background(), 10*time.Second)
	p.pause(context.Background(), time.Second)
	if err := p.wait(context.Background(), 2, true); err != nil {
		t.Fatal(err)
	}
	if d := c.t.Sub(start); d != 15*time.Second {
		t.Fatalf("message went after %v, want 15s", d)
	}
}

func TestPacerCancel(t *testing.T) {
	p := newPacer(Limits{}, nil, nil)
	p.pause(context.Background(), time.Hour)
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

// fakeRates is a RateStore that records bookings and can fail.
type fakeRates struct {
	plans  []string
	pauses []time.Duration
	fail   error
}

func (f *fakeRates) Reserve(_ context.Context, _ int64, plan string, overall, perChat Rate) ([]time.Duration, error) {
	f.plans = append(f.plans, plan)
	if f.fail != nil {
		return nil, f.fail
	}
	out := make([]time.Duration, len(plan))
	for i := range out {
		out[i] = time.Duration(i) * overall.Every
	}
	return out, nil
}

func (f *fakeRates) Pause(_ context.Context, d time.Duration) error {
	f.pauses = append(f.pauses, d)
	return f.fail
}

// TestPacerShared: with a shared schedule the pacer books a job's calls there in one go and honours the waits it
// gives; a 429 pause is recorded there for the other replicas; when the store fails, the pacer keeps to its own
// schedule and leaves the store alone for a while.
func TestPacerShared(t *testing.T) {
	store := &fakeRates{}
	p, c := pacerAt(Limits{})
	p.shared = store
	start := c.t
	at := p.book(context.Background(), 7, "lmm")
	if len(store.plans) != 1 || store.plans[0] != "lmm" {
		t.Fatalf("bookings %q, want one of lmm", store.plans)
	}
	if len(p.chats) != 0 {
		t.Fatal("the local schedule was booked too")
	}
	if err := p.waitUntil(context.Background(), at[2]); err != nil {
		t.Fatal(err)
	}
	if d := c.t.Sub(start); d != 2*perSecond(30) {
		t.Fatalf("third call went after %v, want the store's %v", d, 2*perSecond(30))
	}
	p.pause(context.Background(), 2*time.Second)
	if len(store.pauses) != 1 || store.pauses[0] != 2*time.Second {
		t.Fatalf("pauses in the store %v", store.pauses)
	}

	store.fail = errors.New("redis down")
	if at := p.book(context.Background(), 8, "m"); len(at) != 1 || len(p.chats) != 1 {
		t.Fatalf("fallback booking %v, %d local chats; want one local booking", at, len(p.chats))
	}
	p.book(context.Background(), 9, "m")
	if len(store.plans) != 2 {
		t.Fatalf("%d bookings tried; the store should be left alone after it failed", len(store.plans))
	}
	c.t = c.t.Add(sharedBackoff)
	store.fail = nil
	p.book(context.Background(), 10, "m")
	if len(store.plans) != 3 {
		t.Fatalf("%d bookings tried; the store should be tried again after %v", len(store.plans), sharedBackoff)
	}
}

func TestJobPlan(t *testing.T) {
	long := strings.Repeat("word ", MaxMessage/5+10) // two messages
	j := job{chat: 1, callback: "q", pressed: 5, replies: []flows.Reply{
		{Text: "a", ClosePressed: true},
		{Text: long, ClosePressed: true, File: &flows.File{Name: "x.json", Data: []byte("{}")}},
	}}
	if got := j.plan(); got != "llmmmm" {
		t.Fatalf("plan %q, want llmmmm (callback, one keyboard removal, a, two pieces, the file)", got)
	}
}
