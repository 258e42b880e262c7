package telegram

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
	"github.com/m4pris/mentorbot/flows"
)

func senderOnly(t *testing.T, edit func(*Options)) (*harness, *flows.Engine) {
	t.Helper()
	conn := openRedis(t)
	eng, _ := engineOn(t, conn, echo)
	api := telegramtest.New(t)
	return start(t, api, eng, conn, true, edit), eng
}

func to(id string) flows.Identity { return flows.Identity{Platform: flows.Telegram, ID: id} }

// TestRateLimitPausesAllSends: after a 429 with retry_after, no chat gets a message before the pause ends.
func TestRateLimitPausesAllSends(t *testing.T) {
	h, _ := senderOnly(t, nil)
	api := h.api
	api.Fail("sendMessage", telegramtest.Fault{Code: 429, RetryAfter: 1})
	ctx := context.Background()

	errA := make(chan error, 1)
	go func() { errA <- h.a.Send(ctx, to("10"), []flows.Reply{{Text: "first"}}) }()
	var limited telegramtest.Call
	api.Wait(t, waitLong, "the 429", func() bool {
		for _, c := range api.Calls() {
			if c.Status == 429 {
				limited = c
				return true
			}
		}
		return false
	})
	// Once the adapter has read the 429, another chat, whose own budget is untouched, must wait too.
	api.Wait(t, waitLong, "the pacer paused", func() bool {
		h.a.pacer.mu.Lock()
		defer h.a.pacer.mu.Unlock()
		return !h.a.pacer.paused.IsZero()
	})
	if err := h.a.Send(ctx, to("11"), []flows.Reply{{Text: "second"}}); err != nil {
		t.Fatal(err)
	}
	if err := <-errA; err != nil {
		t.Fatal(err)
	}
	for _, chat := range []int64{10, 11} {
		msgs := api.Messages(chat)
		if len(msgs) != 1 {
			t.Fatalf("chat %d got %d messages", chat, len(msgs))
		}
		if gap := msgs[0].At.Sub(limited.At); gap < time.Second {
			t.Errorf("chat %d was sent to %v after the 429; retry_after was 1s", chat, gap)
		}
	}
}

// TestRetriesTransientErrors: 5xx and dropped connections are retried; the message arrives once.
func TestRetriesTransientErrors(t *testing.T) {
	h, _ := senderOnly(t, nil)
	h.api.Fail("sendMessage", telegramtest.Fault{Code: 502}, telegramtest.Fault{Code: telegramtest.Drop}, telegramtest.Fault{Code: 500})
	if err := h.a.Send(context.Background(), to("12"), []flows.Reply{{Text: "hello"}}); err != nil {
		t.Fatal(err)
	}
	if got := texts(h.api, 12); len(got) != 1 || got[0] != "hello" {
		t.Errorf("delivered %q", got)
	}
	tries := 0
	for _, c := range h.api.Calls() {
		if c.Method == "sendMessage" {
			tries++
		}
	}
	if tries != 4 {
		t.Errorf("%d sendMessage calls, want 3 failures and 1 success", tries)
	}
}

// TestGivesUpAfterAttempts: a Telegram that keeps failing yields an error (the task is retried later), not a hang.
func TestGivesUpAfterAttempts(t *testing.T) {
	h, _ := senderOnly(t, func(o *Options) { o.Limits.Attempts = 3 })
	h.api.Fail("sendMessage", telegramtest.Fault{Code: 500}, telegramtest.Fault{Code: 500}, telegramtest.Fault{Code: 500})
	err := h.a.Send(context.Background(), to("13"), []flows.Reply{{Text: "x"}})
	if err == nil || errors.Is(err, flows.ErrUnreachable) {
		t.Fatalf("err = %v, want a transient error", err)
	}
}

// TestBlockedUserIsUnreachable: 403 becomes flows.ErrUnreachable, and the engine marks the profile.
func TestBlockedUserIsUnreachable(t *testing.T) {
	h, eng := senderOnly(t, nil)
	h.api.Block(14)
	err := h.a.Send(context.Background(), to("14"), []flows.Reply{{Text: "x"}})
	if !errors.Is(err, flows.ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	// Through the engine: the user writes once (a profile exists), then a notice to them hits the block.
	user := telegramtest.User{ID: 15, FirstName: "Bo"}
	if got := post(h.a, testSecret, marshal(t, telegramtest.Message(1, user, "hi"))); got != 200 {
		t.Fatalf("status %d", got)
	}
	h.api.Wait(t, waitLong, "the echo", func() bool { return len(h.api.Messages(15)) == 1 })
	h.api.Block(15)
	res, err := eng.Handle(context.Background(), flows.Event{ID: "tg:2", From: Identity(15), Text: "again"})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Send(context.Background(), res.Profile, []flows.Reply{{Text: "nudge"}}); err != nil {
		t.Fatalf("engine send: %v", err)
	}
	res, err = eng.Handle(context.Background(), flows.Event{Profile: flows.ProfileID(Identity(15)), Job: flows.JobDeadline})
	if err != nil {
		t.Fatal(err)
	}
	if res.Profile == nil || res.Profile.Reachable(Identity(15)) {
		t.Errorf("profile still reachable on Telegram after a 403: %+v", res.Profile)
	}
}

// TestRendering: HTML escaping, splitting at paragraphs, buttons on the last piece, documents.
func TestRendering(t *testing.T) {
	h, _ := senderOnly(t, nil)
	para := strings.Repeat("word ", 600) // 3,000 characters
	head := "<b>Tom & Jerry</b> 1 < 2 > 0"
	long := head + "\n\n" + para + "\n\n" + para + "\n\n" + para
	kb := [][]flows.Button{{{Label: "Yes", Data: "c1:yes"}, {Label: "No", Data: "c1:no"}}, {{Label: "Bad", Data: strings.Repeat("x", 65)}}}
	replies := []flows.Reply{
		{Text: long, Buttons: kb},
		{Text: "Your data", File: &flows.File{Name: "mentorbot-export.json", Type: "application/json", Data: []byte(`{"a":1}`)}},
	}
	if err := h.a.Send(context.Background(), to("16"), replies); err != nil {
		t.Fatal(err)
	}
	msgs := h.api.Messages(16)
	if len(msgs) != 5 {
		t.Fatalf("%d messages, want 3 pieces, a text and a document: %q", len(msgs), texts(h.api, 16))
	}
	// The first piece holds what fits of whole paragraphs; markup typed by a user arrives as typed.
	if want := head + "\n\n" + strings.TrimSpace(para); msgs[0].Plain != want || msgs[0].Fields["parse_mode"] != "HTML" {
		t.Errorf("first piece %.60q… (parse_mode %q): want the first two paragraphs, escaped", msgs[0].Plain, msgs[0].Fields["parse_mode"])
	}
	if msgs[1].Plain != strings.TrimSpace(para) {
		t.Errorf("second piece is not the third paragraph")
	}
	for i, m := range msgs[:3] {
		if n := textLen(m.Plain); n > MaxMessage {
			t.Errorf("piece %d is %d long", i, n)
		}
		if (m.Keyboard != nil) != (i == 2) {
			t.Errorf("piece %d keyboard %v; want buttons on the last piece only", i, m.Keyboard)
		}
	}
	if got := buttonTexts(msgs[2].Keyboard); got != "Yes | No" {
		t.Errorf("buttons %q; the over-long payload must be left out", got)
	}
	if msgs[3].Plain != "Your data" || msgs[4].Method != "sendDocument" || string(msgs[4].Document) != `{"a":1}` || msgs[4].FileName != "mentorbot-export.json" {
		t.Errorf("document: %+v", msgs[4])
	}
	if !strings.Contains(h.logs.String(), "buttons dropped") {
		t.Error("a dropped button was not logged")
	}
}

// TestSendRefusesOtherPlatforms: the Sender only speaks to Telegram ids.
func TestSendRefusesOtherPlatforms(t *testing.T) {
	h, _ := senderOnly(t, nil)
	if err := h.a.Send(context.Background(), flows.Identity{Platform: flows.Slack, ID: "U1"}, nil); !errors.Is(err, flows.ErrUnreachable) {
		t.Errorf("slack identity: %v", err)
	}
	if err := h.a.Send(context.Background(), to("not-a-number"), nil); !errors.Is(err, flows.ErrUnreachable) {
		t.Errorf("bad id: %v", err)
	}
}

// sharedRates adapts bot/redis.Rates to RateStore, as cmd/mentorbot does.
type sharedRates struct{ r *redis.Rates }

func (s sharedRates) Reserve(ctx context.Context, chat int64, plan string, overall, perChat Rate) ([]time.Duration, error) {
	return s.r.Reserve(ctx, redis.Rate(overall), strconv.FormatInt(chat, 10), redis.Rate(perChat), plan)
}

func (s sharedRates) Pause(ctx context.Context, d time.Duration) error { return s.r.Pause(ctx, d) }

// TestTwoAdaptersShareTheLimit: two replicas' adapters sending at once stay under a limit Telegram enforces for
// the bot as a whole when they share the schedule in Redis, and overrun it when each paces only itself (which
// shows that the fake does enforce it).
func TestTwoAdaptersShareTheLimit(t *testing.T) {
	const rate, each = 50, 60 // two replicas, 60 chats each, one message per chat: 2.4 s at 50/s
	for _, shared := range []bool{true, false} {
		conn := openRedis(t)
		api := telegramtest.New(t)
		api.Enforce(telegramtest.Limits{PerSecond: rate, ChatPerSecond: 1, ChatBurst: 3})
		var reps []*harness
		for range 2 {
			eng, _ := engineOn(t, conn, echo)
			reps = append(reps, start(t, api, eng, conn, true, func(o *Options) {
				o.Limits = Limits{PerSecond: rate, ChatPerSecond: 1, ChatBurst: 3, Backoff: time.Millisecond}
				if shared {
					o.Rates = sharedRates{redis.NewRates(conn.Client, "test")}
				}
			}))
		}
		n := each
		if !shared {
			n = 20 // enough to overrun the limit at once; each refusal costs a one-second pause
		}
		var wg sync.WaitGroup
		for r, h := range reps {
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					chat := strconv.Itoa(1000*(r+1) + i)
					// Alone, the replicas overrun the limit and may give up on a message after repeated 429s.
					if err := h.a.Send(context.Background(), to(chat), []flows.Reply{{Text: "hello"}}); err != nil && shared {
						t.Error(err)
					}
				}()
			}
		}
		wg.Wait()
		if n := api.Sent(); shared && n != 2*each {
			t.Fatalf("shared %v: %d messages delivered, want %d", shared, n, 2*each)
		}
		limited := api.RateLimited()
		t.Logf("shared schedule %v: %d answered 429", shared, limited)
		if shared && limited != 0 {
			t.Errorf("with a shared schedule %d sends were refused", limited)
		}
		if !shared && limited == 0 {
			t.Errorf("two replicas pacing themselves alone at the full rate were never refused: the fake does not enforce")
		}
	}
}
