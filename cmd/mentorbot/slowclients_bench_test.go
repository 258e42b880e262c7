package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/bot/slack"
	"github.com/m4pris/mentorbot/bot/slack/slackfake"
	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
)

// BenchmarkSlowClients measures serve under slow clients with its real timeouts: 60 connections of each slowKind
// (300) trickling one byte a second, then /healthz and a valid Telegram and Slack delivery on new connections, then
// how long until the server has closed the slow ones (observed for at most 45 s). Run it alone:
//
//	go test ./cmd/mentorbot -run '^$' -bench SlowClients -benchtime 1x
//
// It reports healthz-ms (slowest of 10), telegram-ms and slack-ms (the deliveries), cut-s (when the last slow
// connection was closed) and open (slow connections still open after 45 s).
func BenchmarkSlowClients(b *testing.B) {
	redistest.Open(b, redistest.DBSpare1)
	api := telegramtest.New(b)
	fake := slackfake.New(b)
	const secret, slackSecret = "slow-Secret_1", "slow-slack-secret"
	vars := telegramEnv(redistest.URL(b, redistest.DBSpare1), api, secret)
	vars["SLACK_BOT_TOKEN"], vars["SLACK_SIGNING_SECRET"], vars["SLACK_API_URL"] = "xoxb-test", slackSecret, fake.APIURL()
	vars["SLACK_MIN_INTERVAL"], vars["MENTORBOT_LOG_LEVEL"] = "0", "error"
	s := startServe(b, vars)
	addr := strings.TrimPrefix(s.Base, "http://")
	hook := strings.TrimPrefix(s.Hook, s.Base)
	const perKind = 60
	for i := 0; i < b.N; i++ {
		a := startSlowAttack(b, addr, hook, secret, perKind, time.Second)
		var healthz []time.Duration
		for range 10 {
			d, code := timeGET(s.Base + "/healthz")
			if code != http.StatusOK {
				b.Errorf("/healthz during the attack: %d", code)
			}
			healthz = append(healthz, d)
		}
		body, _ := json.Marshal(telegramtest.Message(api.NextUpdateID(), telegramtest.User{ID: 740000001 + int64(i), FirstName: "Valid", Lang: "en"}, "/start"))
		req, _ := http.NewRequest(http.MethodPost, s.Hook, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		tg, code := timeDo(req)
		if code != http.StatusOK {
			b.Errorf("telegram delivery during the attack: %d", code)
		}
		ev := slackfake.DirectMessage("EvSlow"+time.Now().Format("150405.000000"), "USLOW1", "hello")
		sl, code := timeDo(slackfake.SignedRequest(b, slackSecret, s.Base+slack.PathEvents, "application/json", ev, time.Now()))
		if code != http.StatusOK {
			b.Errorf("slack delivery during the attack: %d", code)
		}
		a.wait(45 * time.Second)
		slices.Sort(healthz)
		b.Logf("%d slow connections; /healthz median %v, slowest %v; telegram delivery %v; slack delivery %v\n%s",
			perKind*int(slowKinds), healthz[len(healthz)/2], healthz[len(healthz)-1], tg, sl, a.report(perKind))
		b.ReportMetric(float64(healthz[len(healthz)-1].Microseconds())/1000, "healthz-ms")
		b.ReportMetric(float64(tg.Microseconds())/1000, "telegram-ms")
		b.ReportMetric(float64(sl.Microseconds())/1000, "slack-ms")
		b.ReportMetric(a.maxCut().Seconds(), "cut-s")
		b.ReportMetric(float64(a.open()), "open")
		a.stop()
	}
}
