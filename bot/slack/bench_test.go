package slack_test

import (
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/slack"
	"github.com/m4pris/mentorbot/bot/slack/slackfake"
)

// BenchmarkDirectMessage measures one message in a DM end to end in HTTP mode: signed request, verification,
// acknowledgement, engine turn on the store (Redis at REDIS_URL, else embedded), Block Kit reply posted to the fake
// Web API. ack-µs is the part Slack waits for (it allows 3 s).
func BenchmarkDirectMessage(b *testing.B) {
	// One user sends every message here, far above the engine's per-user limit for people.
	e := start(b, httpMode, func(e *env, o *slack.Options) {
		e.newEngine(math.MaxInt32)
		o.Engine = e.eng
	})
	u := e.user("UBENCH")
	onboard(b, u)
	dm := slackfake.DM("UBENCH")
	var ack time.Duration
	b.ResetTimer()
	for i := range b.N {
		before := len(e.fake.Messages(dm))
		body := slackfake.DirectMessage(fmt.Sprintf("EvBench%d", i), "UBENCH", "hello")
		req := slackfake.SignedRequest(b, secret, e.http.URL+slack.PathEvents, "application/json", body, time.Now())
		t0 := time.Now()
		resp, err := e.http.Client().Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("post: %v %v", resp, err)
		}
		ack += time.Since(t0)
		resp.Body.Close()
		e.fake.Wait(b, "the reply", func() bool { return len(e.fake.Messages(dm)) > before })
	}
	b.ReportMetric(float64(ack.Microseconds())/float64(b.N), "ack-µs/op")
}
