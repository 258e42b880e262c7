package slack_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/slack"
	"github.com/m4pris/mentorbot/bot/slack/slackfake"
	"github.com/m4pris/mentorbot/flows"
)

// sharedRates is cmd/mentorbot's wiring of bot/redis.SlackRates, for tests.
type sharedRates struct{ r *redis.SlackRates }

func (s sharedRates) Reserve(ctx context.Context, bucket string, overall slack.Rate, channel string, perChannel slack.Rate) (time.Duration, error) {
	return s.r.Reserve(ctx, bucket, redis.Rate(overall), channel, redis.Rate(perChannel))
}

func (s sharedRates) Pause(ctx context.Context, bucket string, d time.Duration) error {
	return s.r.Pause(ctx, bucket, d)
}

// TestReplicasShareOneSchedule: two replicas send to one person at once against a fake that enforces a channel's
// limit the way Slack does (here one message every 200 ms, two at once). Sharing the schedule through Redis, they
// stay within it: no message is refused. Each pacing only itself, they would send twice the rate, and Slack
// refuses some (the control).
func TestReplicasShareOneSchedule(t *testing.T) {
	for _, shared := range []bool{true, false} {
		name := map[bool]string{true: "shared through Redis", false: "each replica alone"}[shared]
		t.Run(name, func(t *testing.T) {
			e := start(t, socketMode, nil)
			e.fake.LimitChannels(200*time.Millisecond, 2)
			var rates slack.RateStore
			if shared {
				rates = sharedRates{redis.NewSlackRates(e.conn.Client, fmt.Sprint(time.Now().UnixNano()))}
			}
			var replicas []*slack.Adapter
			for range 2 {
				o := slack.Options{
					BotToken: "xoxb-test", SigningSecret: secret, APIURL: e.fake.APIURL(), Engine: e.eng,
					MinInterval: 200 * time.Millisecond, ChannelBurst: 1, Backoff: 5 * time.Millisecond,
					Rates: rates, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
				}
				a, err := slack.New(o)
				if err != nil {
					t.Fatal(err)
				}
				replicas = append(replicas, a)
			}
			to := flows.Identity{Platform: flows.Slack, ID: "UBUSY"}
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for r, a := range replicas {
				wg.Go(func() {
					for i := range 4 {
						errs <- a.Send(context.Background(), to, []flows.Reply{{Text: fmt.Sprintf("replica %d, message %d", r, i)}})
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if n := len(e.fake.Messages(slackfake.DM("UBUSY"))); n != 8 {
				t.Fatalf("%d messages arrived, want 8", n)
			}
			limited := e.fake.Limited()
			t.Logf("%d posts refused by the channel's limit", limited)
			if shared && limited != 0 {
				t.Fatalf("%d posts refused with a shared schedule, want 0", limited)
			}
			if !shared && limited == 0 {
				t.Fatal("the control sent within the limit: the test cannot tell a shared schedule from none")
			}
		})
	}
}
