package flows_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
	"github.com/m4pris/mentorbot/flows/programme"
)

// echoFlow asks two questions; its version can be changed to simulate a deploy.
func echoFlow(version int) *flows.Flow {
	return &flows.Flow{
		Name: "echo", Version: version, First: "one", Commands: []string{"echo"},
		Steps: map[string]flows.Step{
			"one": {
				Ask: func(c *flows.Ctx) {
					c.Ask("pick", flows.Row(flows.Choice("A", "a"), flows.Choice("B", "b")))
					c.Deadline(time.Hour)
				},
				Answer: func(c *flows.Ctx) {
					v, ok := c.Choice()
					if !ok {
						c.Reask("use the buttons")
						return
					}
					c.SetSlot("picked", v)
					c.Goto("two")
				},
				Timeout: func(c *flows.Ctx) { c.Say("timed out"); c.Done() },
			},
			"two": {
				Ask:    func(c *flows.Ctx) { c.Ask("say something") },
				Answer: func(c *flows.Ctx) { c.Say("you picked " + c.Slot("picked") + " and said " + c.Text()); c.Done() },
			},
		},
	}
}

// echoFeature is echoFlow as a feature.
func echoFeature(version int) flows.Feature {
	return flows.Feature{Name: "echo", Flows: []*flows.Flow{echoFlow(version)}}
}

// actions is a feature of actions.
func actions(a ...*flows.Action) flows.Feature { return flows.Feature{Name: "test", Actions: a} }

func newEngine(t *testing.T, store flows.Store, clock flows.Clock, fs ...flows.Feature) *flows.Engine {
	t.Helper()
	e := flows.New(flows.Options{Store: store, Clock: clock, Content: content.MustDefault()})
	e.Add(fs...)
	return e
}

func onboarded(t *testing.T, store *flowtest.MemStore, user string) {
	t.Helper()
	id := flowtest.Identity(user)
	p := &flows.Profile{ID: flows.ProfileID(id), Identities: []flows.Identity{id}, Lang: "en", Onboarded: true}
	if err := store.Save(context.Background(), p.ID, flows.Snapshot{Profile: p}, "", nil); err != nil {
		t.Fatal(err)
	}
}

func send(t *testing.T, e *flows.Engine, ev flows.Event) flows.Result {
	t.Helper()
	ev.From = flowtest.Identity("u")
	res, err := e.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestStateDroppedAfterDeploy(t *testing.T) {
	store := flowtest.NewMemStore()
	clock := flowtest.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	onboarded(t, store, "u")
	old := newEngine(t, store, clock, echoFeature(1))
	res := send(t, old, flows.TextEvent(flowtest.Identity("u"), "/echo"))
	payload := res.Replies[0].Buttons[0][0].Data

	// A new build with version 2 of the flow must not crash on version-1 state: it drops it and says so.
	updated := newEngine(t, store, clock, echoFeature(2))
	res = send(t, updated, flows.Event{Payload: payload})
	if got := flowtest.Text(res.Replies); !strings.Contains(got, "updated") || !strings.Contains(got, "no longer open") {
		t.Fatalf("want an 'updated' and a 'no longer open' reply, got %q", got)
	}
}

func TestDeadlineSurvivesRestartAndTimesOut(t *testing.T) {
	store := flowtest.NewMemStore()
	clock := flowtest.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	onboarded(t, store, "u")
	send(t, newEngine(t, store, clock, echoFeature(1)), flows.TextEvent(flowtest.Identity("u"), "/echo"))

	clock.Advance(2 * time.Hour)
	restarted := newEngine(t, store, clock, echoFeature(1)) // a new process: only the store remembers
	pid := flows.ProfileID(flowtest.Identity("u"))
	res, err := restarted.Handle(context.Background(), flows.Event{ID: "d1", Profile: pid, Job: flows.JobDeadline})
	if err != nil {
		t.Fatal(err)
	}
	if got := flowtest.Text(res.Replies); !strings.Contains(got, "timed out") {
		t.Fatalf("want the timeout reply, got %q", got)
	}
	snap, _ := store.Load(context.Background(), pid, "")
	if !snap.State.Idle() {
		t.Fatalf("state after timeout: %+v", snap.State)
	}
}

func TestDuplicateEventHandledOnce(t *testing.T) {
	store := flowtest.NewMemStore()
	clock := flowtest.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	onboarded(t, store, "u")
	e := newEngine(t, store, clock, echoFeature(1))
	ev := flows.TextEvent(flowtest.Identity("u"), "/echo")
	ev.ID = "tg:1"
	var wg sync.WaitGroup
	var mu sync.Mutex
	replies := 0
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.Handle(context.Background(), ev)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			if !res.Duplicate {
				replies += len(res.Replies)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if replies != 1 {
		t.Fatalf("5 deliveries of one update gave %d replies, want 1", replies)
	}
}

func TestConcurrentEnginesConflictRetry(t *testing.T) {
	// Two replicas (two engines) on one store: every update lands, none is lost to a lost-update race.
	store := flowtest.NewMemStore()
	clock := flowtest.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	onboarded(t, store, "u")
	counter := &flows.Action{Name: "inc", Commands: []string{"inc"}, Run: func(c *flows.Ctx) {
		c.Profile.InviteFails++ // any profile field: counts the updates that were applied
	}}
	mk := func() *flows.Engine {
		e := flows.New(flows.Options{Store: store, Clock: clock, Content: content.MustDefault(), RatePerMinute: 1000})
		e.Add(actions(counter))
		return e
	}
	a, b := mk(), mk()
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func(e *flows.Engine) {
			defer wg.Done()
			ev := flows.TextEvent(flowtest.Identity("u"), "/inc")
			ev.ID = "ev" + string(rune('A'+i))
			if _, err := e.Handle(context.Background(), ev); err != nil {
				t.Error(err)
			}
		}([]*flows.Engine{a, b}[i%2])
	}
	wg.Wait()
	p, _ := store.Profile(context.Background(), flows.ProfileID(flowtest.Identity("u")))
	if p.InviteFails != 40 {
		t.Fatalf("applied %d of 40 updates", p.InviteFails)
	}
}

func TestPanicInFlowIsKindReply(t *testing.T) {
	store := flowtest.NewMemStore()
	clock := flowtest.NewClock(time.Now())
	onboarded(t, store, "u")
	boom := &flows.Action{Name: "boom", Commands: []string{"boom"}, Run: func(*flows.Ctx) { panic("boom") }}
	e := newEngine(t, store, clock, actions(boom))
	res := send(t, e, flows.TextEvent(flowtest.Identity("u"), "/boom"))
	if got := flowtest.Text(res.Replies); !strings.Contains(got, "went wrong on my side") {
		t.Fatalf("got %q", got)
	}
}

func TestTextEvent(t *testing.T) {
	id := flowtest.Identity("u")
	for _, tc := range []struct{ in, cmd, args, text string }{
		{"/start", "start", "", ""},
		{"/invite mentor 3", "invite", "mentor 3", ""},
		{"/Start@mentor_bot hi", "start", "hi", ""},
		{"/ ", "", "", "/ "},
		{"hello", "", "", "hello"},
		{"/ünïcode", "", "", "/ünïcode"},
		{"/1/2", "", "", "/1/2"},
	} {
		ev := flows.TextEvent(id, tc.in)
		if ev.Command != tc.cmd || ev.Args != tc.args || ev.Text != tc.text {
			t.Errorf("TextEvent(%q) = %q %q %q, want %q %q %q", tc.in, ev.Command, ev.Args, ev.Text, tc.cmd, tc.args, tc.text)
		}
	}
}

func TestNormalizeCode(t *testing.T) {
	code := flows.NewInviteCode()
	if len(code) != 11 || code[5] != '-' {
		t.Fatalf("code %q", code)
	}
	n1, ok1 := flows.NormalizeCode(code)
	n2, ok2 := flows.NormalizeCode(" " + strings.ToLower(strings.ReplaceAll(code, "-", " ")) + " ")
	if !ok1 || !ok2 || n1 != n2 {
		t.Fatalf("normalize %q: %q %v / %q %v", code, n1, ok1, n2, ok2)
	}
	for _, bad := range []string{"", "ABC", "ABCDE-FGHJKM", "ÆØÅÆØ-ÆØÅÆØ", "12345-6789U"} {
		if _, ok := flows.NormalizeCode(bad); ok {
			t.Errorf("NormalizeCode(%q) accepted", bad)
		}
	}
}

// FuzzEvent feeds arbitrary text and payloads to the engine: it must never panic or fail, and must always answer.
func FuzzEvent(f *testing.F) {
	for _, s := range []string{"/start", "s1:en", "g:menu", "g:consent scores off", "s-1:x", "/invite mentor 99999999999", "\x00", strings.Repeat("æ", 5000)} {
		f.Add(s, s)
	}
	store := flowtest.NewMemStore()
	clock := flowtest.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	e := flows.New(flows.Options{Store: store, Clock: clock, Content: content.MustDefault()})
	programme.Register(e, programme.Deps{Directory: store, Invites: store})
	e.Add(echoFeature(1))
	f.Fuzz(func(t *testing.T, text, payload string) {
		if !utf8.ValidString(text) {
			return
		}
		// A minute per input keeps the per-user rate limit (30 a minute) from silencing the fuzzed user.
		clock.Advance(time.Minute)
		for _, ev := range []flows.Event{flows.TextEvent(flowtest.Identity("f"), text), {From: flowtest.Identity("f"), Payload: payload}} {
			res, err := e.Handle(context.Background(), ev)
			if err != nil {
				t.Fatalf("handle: %v", err)
			}
			if len(res.Replies) == 0 {
				t.Fatalf("no reply to %+v", ev)
			}
		}
	})
}

func TestNextAllowed(t *testing.T) {
	cph, _ := time.LoadLocation("Europe/Copenhagen")
	p := &flows.Profile{TZ: "Europe/Copenhagen", Quiet: flows.Window{From: 22 * 60, To: 7 * 60}, DaysOff: []int{0}}
	for _, tc := range []struct{ in, want time.Time }{
		// 23:00 Friday → 07:00 Saturday.
		{time.Date(2026, 11, 27, 23, 0, 0, 0, cph), time.Date(2026, 11, 28, 7, 0, 0, 0, cph)},
		// 12:00 Saturday is fine.
		{time.Date(2026, 11, 28, 12, 0, 0, 0, cph), time.Date(2026, 11, 28, 12, 0, 0, 0, cph)},
		// 12:00 Sunday (day off) → 07:00 Monday.
		{time.Date(2026, 11, 29, 12, 0, 0, 0, cph), time.Date(2026, 11, 30, 7, 0, 0, 0, cph)},
		// DST end night (25 Oct 2026): 02:30 → 07:00 local.
		{time.Date(2026, 10, 25, 2, 30, 0, 0, cph), time.Date(2026, 10, 26, 7, 0, 0, 0, cph)},
	} {
		if got := p.NextAllowed(tc.in); !got.Equal(tc.want) {
			t.Errorf("NextAllowed(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	p.Nudges.SnoozeUntil = time.Date(2026, 12, 5, 9, 0, 0, 0, cph)
	if got := p.NextAllowed(time.Date(2026, 12, 1, 9, 0, 0, 0, cph)); !got.Equal(p.Nudges.SnoozeUntil) {
		t.Errorf("snooze ignored: %v", got)
	}
}

func TestInboundRateLimit(t *testing.T) {
	store := flowtest.NewMemStore()
	clock := flowtest.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	onboarded(t, store, "u")
	applied := 0
	counter := &flows.Action{Name: "inc", Commands: []string{"inc"}, Run: func(c *flows.Ctx) { applied++; c.Say("counted") }}
	var seen []flows.Observation
	e := flows.New(flows.Options{Store: store, Clock: clock, Content: content.MustDefault(), RatePerMinute: 30,
		Observe: func(o flows.Observation) { seen = append(seen, o) }})
	e.Add(actions(counter))
	slowDowns := 0
	for range 35 {
		res := send(t, e, flows.TextEvent(flowtest.Identity("u"), "/inc"))
		if strings.Contains(flowtest.Text(res.Replies), "a lot of messages") {
			slowDowns++
		}
	}
	if applied != 30 || slowDowns != 1 {
		t.Fatalf("applied %d (want 30), slow-down replies %d (want 1)", applied, slowDowns)
	}
	if seen[34].Outcome != "limited" || seen[0].Outcome != "ok" {
		t.Fatalf("observations: first %+v, last %+v", seen[0], seen[34])
	}
	clock.Advance(time.Minute)
	send(t, e, flows.TextEvent(flowtest.Identity("u"), "/inc"))
	if applied != 31 {
		t.Fatal("the limit did not reset after a minute")
	}
}

func TestOtherUsersButtonIsRefused(t *testing.T) {
	store := flowtest.NewMemStore()
	clock := flowtest.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	onboarded(t, store, "a")
	onboarded(t, store, "b")
	e := newEngine(t, store, clock, echoFeature(1))
	resA, _ := e.Handle(context.Background(), flows.TextEvent(flowtest.Identity("a"), "/echo"))
	e.Handle(context.Background(), flows.TextEvent(flowtest.Identity("b"), "/echo"))
	// b's client sends a's payload: b is at the same step, but the payload belongs to a's prompt.
	stolen := resA.Replies[0].Buttons[0][1].Data
	before, _ := store.Load(context.Background(), flows.ProfileID(flowtest.Identity("b")), "")
	// Make b's prompt sequence differ from a's, as it would in real life.
	e.Handle(context.Background(), flows.TextEvent(flowtest.Identity("b"), "/echo"))
	res, err := e.Handle(context.Background(), flows.Event{From: flowtest.Identity("b"), Payload: stolen})
	if err != nil {
		t.Fatal(err)
	}
	if got := flowtest.Text(res.Replies); !strings.Contains(got, "no longer open") {
		t.Fatalf("another user's payload: %q", got)
	}
	after, _ := store.Load(context.Background(), flows.ProfileID(flowtest.Identity("b")), "")
	if after.State.Step != "one" || before.State.Step != "one" {
		t.Fatalf("state changed: %+v", after.State)
	}
}

func TestVeryLongAndEmptyMessages(t *testing.T) {
	store := flowtest.NewMemStore()
	clock := flowtest.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	onboarded(t, store, "u")
	e := newEngine(t, store, clock, echoFeature(1))
	send(t, e, flows.TextEvent(flowtest.Identity("u"), "/echo"))
	send(t, e, flows.Event{Payload: "s1:a"})
	for text, want := range map[string]string{
		strings.Repeat("🙂", 10000): "too long",
		"   ":                      "empty message",
	} {
		res := send(t, e, flows.TextEvent(flowtest.Identity("u"), text))
		if got := flowtest.Text(res.Replies); !strings.Contains(got, want) {
			t.Errorf("reply %q lacks %q", got, want)
		}
	}
	snap, _ := store.Load(context.Background(), flows.ProfileID(flowtest.Identity("u")), "")
	if snap.State.Step != "two" {
		t.Fatalf("bad input moved the flow: %+v", snap.State)
	}
}

func TestJobsCannotBePressed(t *testing.T) {
	store := flowtest.NewMemStore()
	clock := flowtest.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	onboarded(t, store, "u")
	ran := false
	job := flows.Feature{Name: "secret", Jobs: []flows.JobHandler{{Job: "secret.job", Run: func(*flows.Ctx) { ran = true }}}}
	e := newEngine(t, store, clock, job)
	for _, p := range []string{"g:secret.job", "g:core.unreachable telegram", "g:core.deadline"} {
		res := send(t, e, flows.Event{Payload: p})
		if got := flowtest.Text(res.Replies); !strings.Contains(got, "no longer open") {
			t.Errorf("%s: %q", p, got)
		}
	}
	if ran {
		t.Fatal("a crafted button ran a job")
	}
	pr, _ := store.Profile(context.Background(), flows.ProfileID(flowtest.Identity("u")))
	if len(pr.Unreachable) != 0 {
		t.Fatal("a crafted button marked the user unreachable")
	}
}
