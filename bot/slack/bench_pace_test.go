package slack_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/slack"
	"github.com/m4pris/mentorbot/bot/slack/slackfake"
	"github.com/m4pris/mentorbot/flows"
)

// BenchmarkTapsAtSlackPace: one person taps through onboarding (a typed hello, then 7 presses, each as soon as
// its question shows) with Slack's pacing on (one message a second per channel after a burst of 3). tap-ms is the
// time from a press to the next question at the fake (p50 and max over the presses); calls/op the Slack calls
// the onboarding cost.
func BenchmarkTapsAtSlackPace(b *testing.B) {
	steps := []struct{ press, next string }{
		{"English", "run by your union"}, {"Sounds good", "keep your scores"}, {"Yes, keep them", "let a coordinator know"},
		{"No", "invite code"}, {"Continue as guest", "time zone"}, {"Denmark", "quiet"}, {"22:00–07:00", "You're all set"},
	}
	var taps []time.Duration
	calls := 0
	for i := range b.N {
		b.StopTimer()
		e := start(b, httpMode, func(_ *env, o *slack.Options) { o.MinInterval = 0 })
		u := e.user(fmt.Sprintf("UPACE%d", i))
		before := len(allCalls(e.fake))
		b.StartTimer()
		u.Say(b, "hi")
		u.Expect(b, "Choose your language")
		for _, s := range steps {
			t0 := time.Now()
			u.Press(b, s.press)
			u.Expect(b, s.next)
			taps = append(taps, time.Since(t0))
		}
		b.StopTimer()
		calls += len(allCalls(e.fake)) - before
	}
	sort.Slice(taps, func(i, j int) bool { return taps[i] < taps[j] })
	b.ReportMetric(float64(taps[len(taps)/2].Microseconds())/1000, "tap-p50-ms")
	b.ReportMetric(float64(taps[len(taps)-1].Microseconds())/1000, "tap-max-ms")
	b.ReportMetric(float64(calls)/float64(b.N), "calls/op")
}

// allCalls lists the calls that carry a message (posts, updates, response_url posts, users.info,
// conversations.open), not the connection's own.
func allCalls(s *slackfake.Server) []slackfake.Call {
	var out []slackfake.Call
	for _, m := range []string{"chat.postMessage", "chat.update", "response_url", "users.info", "conversations.open"} {
		out = append(out, s.Calls(m)...)
	}
	return out
}

// BenchmarkDeliveryThrough5xxBurst: a reply meets five 503s in a row and is delivered with the default backoff
// (250 ms doubling, full jitter). ms/op is the time from the send to Slack's acceptance.
func BenchmarkDeliveryThrough5xxBurst(b *testing.B) {
	e := start(b, socketMode, func(_ *env, o *slack.Options) { o.Backoff = 0 })
	to := flows.Identity{Platform: flows.Slack, ID: "UOUTAGE"}
	ctx := context.Background()
	if err := e.a.Send(ctx, to, []flows.Reply{{Text: "warm up"}}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		e.fake.Fail("chat.postMessage", 5, slackfake.Fault{Status: 503})
		if err := e.a.Send(ctx, to, []flows.Reply{{Text: fmt.Sprintf("after the outage %d", i)}}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	msgs := e.fake.Messages(slackfake.DM("UOUTAGE"))
	if n := len(msgs); n != b.N+1 || !strings.Contains(msgs[n-1].Body(), "after the outage") {
		b.Fatalf("%d messages, want %d", n, b.N+1)
	}
	b.ReportMetric(float64(len(e.fake.Calls("chat.postMessage"))-1)/float64(b.N), "posts/msg") // the warm-up's one aside
}
