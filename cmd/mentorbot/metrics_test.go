package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/bot/slack/slackfake"
	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/lessons"
)

// TestMetricsFromRealTraffic runs serve with both adapters against the fakes and checks that /metrics counts what
// happened: a coordinator on Slack invites a mentee who joins on Telegram (Telegram answers one 429 and one 500
// on the way, Slack one 429), the mentee asks for a coordinator from the safety path, the alert reaches the
// coordinator through the delivery queue and is taken, and one lesson nudge is delivered.
func TestMetricsFromRealTraffic(t *testing.T) {
	redistest.Open(t, redistest.DBSpare1) // flushed
	tg := telegramtest.New(t)
	sl := slackfake.New(t)
	const secret = "metrics-test-secret"
	env := map[string]string{
		"REDIS_URL":            redistest.URL(t, redistest.DBSpare1),
		"MENTORBOT_ADMINS":     "slack:UCOORD",
		"TELEGRAM_BOT_TOKEN":   telegramtest.Token,
		"TELEGRAM_API_URL":     tg.URL,
		"SLACK_BOT_TOKEN":      "xoxb-test",
		"SLACK_APP_TOKEN":      "xapp-test",
		"SLACK_SIGNING_SECRET": secret,
		"SLACK_API_URL":        sl.APIURL(),
		"SLACK_MIN_INTERVAL":   "0",
	}
	cfg, err := configFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.ShutdownTimeout = 5 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	m, err := Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- m.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		m.Close()
	})
	base := "http://" + ln.Addr().String()
	sl.Wait(t, "/readyz", func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	before := scrape(t, base)
	for _, series := range []string{
		`mentorbot_messages_sent_total{platform="telegram"}`, `mentorbot_messages_sent_total{platform="slack"}`,
		`mentorbot_rate_limited_total{platform="telegram"}`, `mentorbot_send_retries_total{platform="slack"}`,
		`mentorbot_adapter_pending{platform="telegram"}`, `mentorbot_adapter_pending{platform="slack"}`,
		`mentorbot_queue_tasks{queue="mentorbot",state="pending"}`, `mentorbot_queue_stats_errors_total`,
	} {
		if v, ok := before[series]; !ok || v != 0 {
			t.Errorf("at start: %s = %v (present %v), want 0", series, v, ok)
		}
	}

	// The coordinator on Slack; the reply to the invite meets a 429 first.
	coord := sl.NewUser("UCOORD", sl.Socket())
	onboardSlack(t, coord, "")
	sl.RateLimitNext("chat.postMessage", 1)
	coord.Slash(t, "", "/mentor", "invite mentee")
	code := regexp.MustCompile(`[0-9A-Z]{5}-[0-9A-Z]{5}`).FindString(coord.Expect(t, "invite code for a mentee").Body())
	if code == "" {
		t.Fatal("no invite code")
	}

	// The mentee on Telegram; the first reply meets a 429, then a 500.
	tg.Fail("sendMessage", telegramtest.Fault{Code: 429, RetryAfter: 1}, telegramtest.Fault{Code: 500, Description: "Internal Server Error"})
	mentee := tg.Person(telegramtest.User{ID: 4101, FirstName: "Ioana", Lang: "en"}, tg.ViaQueue)
	// No quiet hours: the notices below must not wait for the morning when the test runs at night.
	onboardTelegram(t, mentee, code, "No quiet hours")

	// The safety path: the crisis alert goes to the coordinator at once, with its escalation scheduled.
	mentee.Say(t, "I want to die")
	mentee.Press(t, "Ask a coordinator")
	mentee.Expect(t, "I've asked a coordinator")
	if n := scrape(t, base)[`mentorbot_queue_tasks{queue="mentorbot",state="scheduled"}`]; n < 1 {
		t.Errorf("the alert's escalation is not among the scheduled tasks: %v", n)
	}
	coord.Press(t, "🙋 I'll take it")
	coord.Expect(t, "it's yours")
	mentee.Expect(t, "has picked up your request")

	// One lesson nudge through the queue. Whether it is sent depends on the clock (it is dropped right after
	// activity, for instance), so the test counts its delivery, whatever the outcome.
	task := flows.Task{ID: "metrics-test-nudge", Profile: flows.ProfileID(flows.Identity{Platform: flows.Telegram, ID: "4101"}),
		Job: lessons.NudgeJob, Args: time.Now().Format("2006-01-02")}
	if err := m.Engine.Enqueue(ctx, task); err != nil {
		t.Fatal(err)
	}

	var got map[string]float64
	deadline := time.Now().Add(15 * time.Second)
	for {
		got = scrape(t, base)
		nudges := 0.0
		for k, v := range got {
			if strings.HasPrefix(k, `mentorbot_nudges_total{job="lessons.nudge",`) {
				nudges += v
			}
		}
		// Counters move after the platform answered, a moment after the fakes recorded the call.
		// Slack answers a press by replacing the pressed message: a message sent too.
		if nudges == 1 && got[`mentorbot_messages_sent_total{platform="telegram"}`] == float64(tg.Sent()) &&
			got[`mentorbot_messages_sent_total{platform="slack"}`] == float64(sl.Posted()+sl.Replaced()) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nudges %v; telegram sent %v, the fake took %d; slack sent %v, the fake took %d", nudges,
				got[`mentorbot_messages_sent_total{platform="telegram"}`], tg.Sent(),
				got[`mentorbot_messages_sent_total{platform="slack"}`], sl.Posted()+sl.Replaced())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if tg.Sent() < 10 || sl.Posted()+sl.Replaced() < 10 {
		t.Errorf("too little traffic to mean much: telegram %d, slack %d", tg.Sent(), sl.Posted()+sl.Replaced())
	}
	for series, want := range map[string]float64{
		`mentorbot_rate_limited_total{platform="telegram"}`:                   1,
		`mentorbot_send_retries_total{platform="telegram"}`:                   2, // after the 429 and after the 500
		`mentorbot_rate_limited_total{platform="slack"}`:                      1,
		`mentorbot_send_retries_total{platform="slack"}`:                      1,
		`mentorbot_alerts_raised_total{kind="crisis",platform="telegram"}`:    1,
		`mentorbot_alerts_acknowledged_total{kind="crisis",platform="slack"}`: 1,
		`mentorbot_tasks_total{job="alert.raise",outcome="ok"}`:               1,
		`mentorbot_queue_stats_errors_total`:                                  0,
	} {
		if v, ok := got[series]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", series, v, ok, want)
		}
	}
	for _, series := range []string{`mentorbot_adapter_pending{platform="telegram"}`, `mentorbot_adapter_pending{platform="slack"}`,
		`mentorbot_queue_oldest_pending_seconds{queue="mentorbot"}`} {
		if _, ok := got[series]; !ok {
			t.Errorf("%s missing", series)
		}
	}
	for k := range got {
		if strings.Contains(k, "4101") || strings.Contains(k, "UCOORD") {
			t.Errorf("a platform id in a metric: %s", k)
		}
	}
}

// scrape reads /metrics into a map from series (name and labels, as Prometheus prints them) to value.
func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %s", resp.Status)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("/metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
