package slack_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/slack"
	"github.com/m4pris/mentorbot/bot/slack/slackfake"
	"github.com/m4pris/mentorbot/flows"
)

// fastRetries makes the backoff after a 5xx short, so a test does not wait for it (Retry-After still holds).
func fastRetries(_ *env, o *slack.Options) { o.Backoff = 5 * time.Millisecond }

// TestRepliesArriveThroughSlackOutages: the update was acknowledged before it was handled, so Slack will never
// resend it; the reply must get through 5xx answers, dropped connections and ok:false errors Slack documents as
// "try again" by itself.
func TestRepliesArriveThroughSlackOutages(t *testing.T) {
	tests := []struct {
		name   string
		faults []slackfake.Fault
	}{
		{"five 503s", []slackfake.Fault{{Status: 503}, {Status: 503}, {Status: 503}, {Status: 503}, {Status: 503}}},
		{"500, 502 and 504", []slackfake.Fault{{Status: 500}, {Status: 502}, {Status: 504}}},
		{"dropped connections", []slackfake.Fault{{Drop: true}, {Drop: true}, {Drop: true}}},
		{"internal_error and fatal_error", []slackfake.Fault{{Error: "internal_error"}, {Error: "fatal_error"}}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t, httpMode, fastRetries)
			user := "UOUT" + string(rune('A'+i))
			for _, f := range tt.faults {
				e.fake.Fail("chat.postMessage", 1, f)
			}
			u := e.user(user)
			began := time.Now()
			u.Say(t, "hi")
			u.Expect(t, "Choose your language")
			t.Logf("delivered through %d faults in %v", len(tt.faults), time.Since(began))
			if got, want := len(e.fake.Calls("chat.postMessage")), len(tt.faults)+1; got != want {
				t.Fatalf("%d chat.postMessage calls, want %d (each fault retried once)", got, want)
			}
			if n := len(e.fake.Messages(slackfake.DM(user))); n != 1 {
				t.Fatalf("%d messages in the DM, want 1", n)
			}
		})
	}
}

// TestRateLimitedAnswersHonourRetryAfter: Slack says "ratelimited" either with a 429 or with ok:false and status
// 200; both carry Retry-After, and the call is made again only after it (2 s for the ok:false one: longer than
// the 1 s assumed when no Retry-After can be read).
func TestRateLimitedAnswersHonourRetryAfter(t *testing.T) {
	for _, f := range []slackfake.Fault{
		{Status: http.StatusTooManyRequests, RetryAfter: 1},
		{Error: "ratelimited", RetryAfter: 2},
	} {
		name := "429"
		if f.Error != "" {
			name = "ok:false ratelimited"
		}
		t.Run(name, func(t *testing.T) {
			e := start(t, socketMode, fastRetries)
			e.fake.Fail("chat.postMessage", 1, f)
			u := e.user("URL" + name[:1])
			u.Say(t, "hi")
			u.Expect(t, "Choose your language")
			calls := e.fake.Calls("chat.postMessage")
			if len(calls) != 2 {
				t.Fatalf("%d calls, want 2", len(calls))
			}
			if gap := calls[1].At.Sub(calls[0].At); gap < time.Duration(f.RetryAfter)*time.Second {
				t.Fatalf("the call was made again %v after a Retry-After of %d s", gap, f.RetryAfter)
			}
		})
	}
}

// TestAPressIsAnsweredThroughFailures: the answer in place (response_url) is retried like a post, and a
// response_url that no longer works falls back to chat.update, which carries the top-level text.
func TestAPressIsAnsweredThroughFailures(t *testing.T) {
	e := start(t, socketMode, fastRetries)
	u := e.user("UPRESS")
	u.Say(t, "hi")
	u.Expect(t, "Choose your language")
	e.fake.Fail("response_url", 2, slackfake.Fault{Status: 503})
	u.Press(t, "English")
	u.Expect(t, "run by your union")
	if n := len(e.fake.Calls("response_url")); n != 3 {
		t.Fatalf("%d response_url calls, want 3 (two 503s, then the answer)", n)
	}
	// The response_url expired (Slack answers 404): the answer still replaces the question, through chat.update.
	e.fake.Fail("response_url", 1, slackfake.Fault{Status: http.StatusNotFound})
	u.Press(t, "Sounds good")
	msg := u.Expect(t, "keep your scores")
	updates := e.fake.Calls("chat.update")
	if len(updates) != 1 {
		t.Fatalf("%d chat.update calls, want 1", len(updates))
	}
	if text := updates[0].Form.Get("text"); !strings.Contains(text, "keep your scores") {
		t.Fatalf("chat.update without the reply as its top-level text: %q", text)
	}
	if n := len(e.fake.Messages(slackfake.DM("UPRESS"))); n != 1 || !strings.Contains(msg.Body(), "✓ Sounds good") {
		t.Fatalf("%d messages; the answer in place reads %q", n, msg.Body())
	}
}

// TestRetriesStopAtADeadlineNotACount: through a long outage the call is tried as often as the backoff allows
// until RetryFor has passed (well beyond the three retries of before), then given up with the error; a mistake
// in the request itself is not retried at all.
func TestRetriesStopAtADeadlineNotACount(t *testing.T) {
	e := start(t, socketMode, func(_ *env, o *slack.Options) {
		o.Backoff = time.Millisecond
		o.RetryFor = time.Second
	})
	ctx := context.Background()
	to := flows.Identity{Platform: flows.Slack, ID: "UDOWN"}
	e.fake.Fail("chat.postMessage", 10000, slackfake.Fault{Status: 503})
	err := e.a.Send(ctx, to, []flows.Reply{{Text: "Your session starts in an hour."}})
	var sc interface{ HTTPStatusCode() int }
	if !errors.As(err, &sc) || sc.HTTPStatusCode() != 503 {
		t.Fatalf("Send through an outage: %v, want the 503 after the deadline", err)
	}
	calls := len(e.fake.Calls("chat.postMessage"))
	if calls <= 4 || e.fake.FaultsLeft() == 0 {
		t.Fatalf("%d calls before giving up (faults left %d), want more than 4 and a stop at the deadline", calls, e.fake.FaultsLeft())
	}
	t.Logf("%d attempts within RetryFor", calls)

	e2 := start(t, socketMode, fastRetries)
	e2.fake.FailNext("chat.postMessage", "invalid_blocks")
	if err := e2.a.Send(ctx, to, []flows.Reply{{Text: "x"}}); err == nil || !strings.Contains(err.Error(), "invalid_blocks") {
		t.Fatalf("a refused request: %v", err)
	}
	if n := len(e2.fake.Calls("chat.postMessage")); n != 1 {
		t.Fatalf("a refused request was made %d times", n)
	}
}

// TestOneUserInfoCallForABurst: a burst of events from one person costs one users.info call.
func TestOneUserInfoCallForABurst(t *testing.T) {
	e := start(t, httpMode, nil)
	u := e.user("UBURST")
	for _, text := range []string{"hi", "hello", "anyone there?"} {
		u.Say(t, text)
	}
	u.Expect(t, "Choose your language")
	e.fake.Wait(t, "three answers", func() bool { return len(e.fake.Messages(slackfake.DM("UBURST"))) >= 3 })
	if n := len(e.fake.Calls("users.info")); n != 1 {
		t.Fatalf("%d users.info calls for three events, want 1", n)
	}
}
