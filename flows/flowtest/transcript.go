package flowtest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"regexp"
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
	h.seq++
	ev.From = Identity(user)
	if ev.ID == "" {
		ev.ID = fmt.Sprintf("t%d", h.seq)
	}
	res, err := h.Engine.Handle(context.Background(), ev)
	if err != nil {
		h.T.Fatalf("handle: %v", err)
	}
	h.mu.Lock()
	h.remember(user, res.Replies)
	h.mu.Unlock()
	h.RunDue()
	return res.Replies
}

// Say sends typed text (or a /command) from user.
func (h *Harness) Say(user, text string) []flows.Reply {
	h.T.Helper()
	return h.Send(user, flows.TextEvent(Identity(user), text))
}

// Press presses the button labelled label under the latest message with buttons that user got.
func (h *Harness) Press(user, label string) []flows.Reply {
	h.T.Helper()
	h.mu.Lock()
	b, ok := findButton(h.buttons[user], label)
	h.mu.Unlock()
	if !ok {
		h.T.Fatalf("%s has no button %q; buttons: %v", user, label, labels(h.buttons[user]))
	}
	return h.Send(user, flows.Event{Payload: b.Data})
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

var varRe = regexp.MustCompile(`\$[A-Z_]+`)

// RunFile runs a transcript file. The format, one instruction a line:
//
//	# comment                     blank lines and comments are skipped
//	clock 2026-12-01T18:00:00Z    set the simulated clock; "advance 90m" moves it on and delivers due tasks
//	user anna lang=da name=Anna   the following lines are anna's (language hint and display name optional)
//	> text or /command            anna types it
//	press Label                   anna presses the button with that label under her latest buttons
//	press-old 2 Label             anna presses a button of her 2nd message with buttons (stale-button tests)
//	raw PAYLOAD                   anna's client sends a raw button payload (forgery tests)
//	< text                        a reply to anna's last input contains text (in order)
//	<! text                       no reply to anna's last input contains text
//	buttons A | B | C             anna's latest buttons are exactly these labels
//	inbox bob < text              a message delivered to bob by a task contains text (clears bob's inbox)
//	inbox-empty bob               nothing was delivered to bob
//	capture CODE regexp           the first group of regexp in the last replies is kept as $CODE
//	keys anna 0                   the backend holds exactly 0 keys of anna's profile
func (h *Harness) RunFile(path string) {
	h.T.Helper()
	f, err := os.Open(path)
	if err != nil {
		h.T.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	user, lang, name := "", "", ""
	var last []flows.Reply
	cursor := 0
	n := 0
	fail := func(format string, a ...any) {
		h.T.Helper()
		h.T.Fatalf("%s:%d: %s", path, n, fmt.Sprintf(format, a...))
	}
	for sc.Scan() {
		n++
		line := strings.TrimSpace(varRe.ReplaceAllStringFunc(sc.Text(), func(v string) string {
			if x, ok := h.vars[v[1:]]; ok {
				return x
			}
			return v
		}))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		verb, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		send := func(ev flows.Event) {
			ev.LangHint, ev.Name = lang, name
			last, cursor = h.Send(user, ev), 0
		}
		switch verb {
		case "clock":
			t, err := time.Parse(time.RFC3339, rest)
			if err != nil {
				fail("bad clock: %v", err)
			}
			h.Clock.Set(t)
		case "advance":
			d, err := time.ParseDuration(rest)
			if err != nil {
				fail("bad duration: %v", err)
			}
			h.Clock.Advance(d)
			h.RunDue()
		case "user":
			f := strings.Fields(rest)
			user, lang, name = f[0], "", ""
			for _, kv := range f[1:] {
				k, v, _ := strings.Cut(kv, "=")
				switch k {
				case "lang":
					lang = v
				case "name":
					name = v
				}
			}
		case ">":
			ev := flows.TextEvent(Identity(user), rest)
			send(ev)
		case "press":
			h.mu.Lock()
			b, ok := findButton(h.buttons[user], rest)
			h.mu.Unlock()
			if !ok {
				fail("%s has no button %q; has %q", user, rest, labels(h.buttons[user]))
			}
			send(flows.Event{Payload: b.Data})
		case "press-old":
			idx, label, _ := strings.Cut(rest, " ")
			var k int
			fmt.Sscan(idx, &k)
			h.mu.Lock()
			hist := h.history[user]
			h.mu.Unlock()
			if k < 1 || k > len(hist) {
				fail("no button message %d", k)
			}
			b, ok := findButton(hist[k-1], label)
			if !ok {
				fail("message %d has no button %q", k, label)
			}
			send(flows.Event{Payload: b.Data})
		case "raw":
			send(flows.Event{Payload: rest})
		case "<":
			found := false
			for ; cursor < len(last); cursor++ {
				t := last[cursor].Text
				if last[cursor].File != nil {
					t += "\n" + string(last[cursor].File.Data)
				}
				if strings.Contains(t, rest) {
					found = true
					break
				}
			}
			if !found {
				fail("no reply (in order) contains %q; replies:\n%s", rest, Text(last))
			}
		case "<!":
			if strings.Contains(Text(last), rest) {
				fail("a reply contains %q:\n%s", rest, Text(last))
			}
		case "buttons":
			want := strings.Split(rest, "|")
			for i := range want {
				want[i] = strings.TrimSpace(want[i])
			}
			h.mu.Lock()
			got := labels(h.buttons[user])
			h.mu.Unlock()
			if strings.Join(got, "|") != strings.Join(want, "|") {
				fail("buttons: want %q, got %q", want, got)
			}
		case "inbox":
			who, text, _ := strings.Cut(rest, " < ")
			got := Text(h.Inbox(strings.TrimSpace(who)))
			if !strings.Contains(got, text) {
				fail("%s's inbox lacks %q:\n%s", who, text, got)
			}
		case "inbox-empty":
			if got := h.Inbox(rest); len(got) > 0 {
				fail("%s's inbox is not empty:\n%s", rest, Text(got))
			}
		case "capture":
			name, expr, _ := strings.Cut(rest, " ")
			re, err := regexp.Compile(expr)
			if err != nil {
				fail("bad regexp: %v", err)
			}
			m := re.FindStringSubmatch(Text(last))
			if len(m) < 2 {
				fail("capture %s: no match in:\n%s", name, Text(last))
			}
			h.vars[name] = m[1]
		case "keys":
			who, num, _ := strings.Cut(rest, " ")
			var want int
			fmt.Sscan(num, &want)
			if h.Keys == nil {
				fail("backend cannot count keys")
			}
			if got := h.Keys(flows.ProfileID(Identity(who))); got != want {
				fail("%s has %d keys, want %d", who, got, want)
			}
		default:
			fail("unknown instruction %q", verb)
		}
	}
	if err := sc.Err(); err != nil {
		h.T.Fatal(err)
	}
}
