package flowtest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/link"
)

// Backend is the store a transcript runs on: the in-memory one here, or Redis in bot/redis's tests.
type Backend interface {
	flows.Store
	flows.Directory
	flows.Invites
	link.Store
}

// Harness runs conversations through a real engine with a simulated clock. Users are console identities.
type Harness struct {
	T      testing.TB
	Engine *flows.Engine
	Store  Backend
	Clock  *Clock
	Queue  *Queue
	// Keys counts what the backend stores about a profile (for the erasure assertions); optional.
	Keys func(pid string) int

	mu      sync.Mutex
	inbox   map[string][]flows.Reply // replies delivered to a user by tasks, not yet checked
	buttons map[string][]flows.Button
	history map[string][][]flows.Button
	vars    map[string]string
	seq     int
	counts  map[string]int // counted events by "name/kind/job"
}

// Setup registers the flows on a new engine; the test provides it (usually programme.Register).
type Setup func(e *flows.Engine, b Backend)

// NewHarness builds a harness on backend b (a new MemStore when nil).
func NewHarness(t testing.TB, b Backend, setup Setup, admins ...string) *Harness {
	t.Helper()
	if b == nil {
		m := NewMemStore()
		b = m
	}
	h := &Harness{T: t, Store: b, Clock: NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)), Queue: &Queue{},
		inbox: map[string][]flows.Reply{}, buttons: map[string][]flows.Button{}, history: map[string][][]flows.Button{}, vars: map[string]string{}}
	if m, ok := b.(*MemStore); ok {
		h.Keys = m.Keys
	}
	var ids []flows.Identity
	for _, a := range admins {
		ids = append(ids, flows.Identity{Platform: flows.Console, ID: a})
	}
	// The simulated clock stands still between lines, so the per-minute limit is raised out of the way.
	h.Engine = flows.New(flows.Options{Store: b, Clock: h.Clock, Content: content.MustDefault(), Queue: h.Queue, Admins: ids, RatePerMinute: 10000,
		Observe: h.observe})
	h.Engine.SetSender(flows.Console, senderFunc(func(_ context.Context, to flows.Identity, r []flows.Reply) error {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.inbox[to.ID] = append(h.inbox[to.ID], r...)
		h.remember(to.ID, r)
		return nil
	}))
	setup(h.Engine, b)
	return h
}

func (h *Harness) observe(o flows.Observation) {
	if o.Count == "" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.counts == nil {
		h.counts = map[string]int{}
	}
	h.counts[o.Count+"/"+o.Kind+"/"+string(o.Job)]++
}

// Counts returns the events counted so far (flows.Observation with Count set), keyed "name/kind/job" (job is empty
// for a user's update), and forgets them.
func (h *Harness) Counts() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.counts
	h.counts = nil
	return out
}

type senderFunc func(context.Context, flows.Identity, []flows.Reply) error

func (f senderFunc) Send(ctx context.Context, to flows.Identity, r []flows.Reply) error {
	return f(ctx, to, r)
}

func (h *Harness) remember(user string, replies []flows.Reply) {
	for _, r := range replies {
		if len(r.Buttons) == 0 {
			continue
		}
		var flat []flows.Button
		for _, row := range r.Buttons {
			flat = append(flat, row...)
		}
		h.buttons[user] = flat
		h.history[user] = append(h.history[user], flat)
	}
}

// Identity of a local user.
func Identity(user string) flows.Identity { return flows.Identity{Platform: flows.Console, ID: user} }

// Send delivers an event from user and returns the replies; due tasks are delivered afterwards.
func (h *Harness) Send(user string, ev flows.Event) []flows.Reply {
	h.T.Helper()
	r, err := h.TrySend(user, ev)
	if err != nil {
		h.T.Fatalf("handle: %v", err)
	}
	return r
}

// TrySend is Send for an update that may fail (a store is down): the engine's error comes back with its "try
// again" reply instead of failing the test.
func (h *Harness) TrySend(user string, ev flows.Event) ([]flows.Reply, error) {
	h.T.Helper()
	h.seq++
	ev.From = Identity(user)
	if ev.ID == "" {
		ev.ID = fmt.Sprintf("t%d", h.seq)
	}
	res, err := h.Engine.Handle(context.Background(), ev)
	if err != nil {
		return res.Replies, err
	}
	h.mu.Lock()
	h.remember(user, res.Replies)
	h.mu.Unlock()
	h.RunDue()
	return res.Replies, nil
}

// Say sends typed text (or a /command) from user.
func (h *Harness) Say(user, text string) []flows.Reply {
	h.T.Helper()
	return h.Send(user, flows.TextEvent(Identity(user), text))
}

// Press presses the button labelled label under the latest message with buttons that user got.
func (h *Harness) Press(user, label string) []flows.Reply {
	h.T.Helper()
	r, err := h.TryPress(user, label)
	if err != nil {
		h.T.Fatalf("handle: %v", err)
	}
	return r
}

// TryPress is Press for an update that may fail (see TrySend).
func (h *Harness) TryPress(user, label string) ([]flows.Reply, error) {
	h.T.Helper()
	h.mu.Lock()
	b, ok := findButton(h.buttons[user], label)
	h.mu.Unlock()
	if !ok {
		h.T.Fatalf("%s has no button %q; buttons: %v", user, label, labels(h.buttons[user]))
	}
	return h.TrySend(user, flows.Event{Payload: b.Data})
}

// PressOld presses a button from the n-th message with buttons user got (1-based), to test stale buttons.
func (h *Harness) PressOld(user string, n int, label string) []flows.Reply {
	h.T.Helper()
	h.mu.Lock()
	hist := h.history[user]
	h.mu.Unlock()
	if n < 1 || n > len(hist) {
		h.T.Fatalf("%s has no button message %d", user, n)
	}
	b, ok := findButton(hist[n-1], label)
	if !ok {
		h.T.Fatalf("%s message %d has no button %q", user, n, label)
	}
	return h.Send(user, flows.Event{Payload: b.Data})
}

func findButton(bs []flows.Button, label string) (flows.Button, bool) {
	for _, b := range bs {
		if b.Label == label || strings.TrimPrefix(b.Label, "✓ ") == label {
			return b, true
		}
	}
	for _, b := range bs {
		if strings.Contains(b.Label, label) {
			return b, true
		}
	}
	return flows.Button{}, false
}

func labels(bs []flows.Button) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.Label
	}
	return out
}

// RunDue delivers queued tasks that are due by the simulated clock.
func (h *Harness) RunDue() {
	h.T.Helper()
	for range 100 {
		due := h.Queue.TakeDue(h.Clock.Now())
		if len(due) == 0 {
			return
		}
		for _, t := range due {
			if err := h.Engine.RunTask(context.Background(), t); err != nil {
				h.T.Fatalf("task %s: %v", t.Job, err)
			}
		}
	}
}

// Inbox returns and clears what tasks delivered to user.
func (h *Harness) Inbox(user string) []flows.Reply {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.inbox[user]
	delete(h.inbox, user)
	return r
}

func sortTasks(ts []flows.Task) {
	sort.Slice(ts, func(i, j int) bool {
		if !ts[i].At.Equal(ts[j].At) {
			return ts[i].At.Before(ts[j].At)
		}
		return ts[i].ID < ts[j].ID
	})
}

// Text joins the texts of replies, for assertions.
func Text(rs []flows.Reply) string {
	var b strings.Builder
	for _, r := range rs {
		if r.Text != "" {
			b.WriteString(r.Text)
			b.WriteString("\n")
		}
		if r.File != nil {
			b.WriteString(string(r.File.Data))
			b.WriteString("\n")
		}
	}
	return b.String()
}

// latestButtons are the buttons of the latest message with buttons that user got.
func (h *Harness) latestButtons(user string) []flows.Button {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.buttons[user]
}

// buttonHistory is every message with buttons that user got, oldest first.
func (h *Harness) buttonHistory(user string) [][]flows.Button {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.history[user]
}
