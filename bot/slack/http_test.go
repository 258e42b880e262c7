package slack_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/slack"
	"github.com/m4pris/mentorbot/bot/slack/slackfake"
	"github.com/m4pris/mentorbot/flows"
)

func TestHTTPEndpointsRefuseWhatSlackDidNotSign(t *testing.T) {
	e := start(t, httpMode, nil)
	body := slackfake.DirectMessage("EvForged", "U11", "/forget")
	post := func(req *http.Request) (int, string) {
		t.Helper()
		resp, err := e.http.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	url := e.http.URL + slack.PathEvents
	unsigned, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	tests := []struct {
		name string
		req  *http.Request
		want int
	}{
		{"unsigned", unsigned, http.StatusUnauthorized},
		{"forged", slackfake.SignedRequest(t, "not-the-secret", url, "application/json", body, time.Now()), http.StatusUnauthorized},
		{"stale", slackfake.SignedRequest(t, secret, url, "application/json", body, time.Now().Add(-10*time.Minute)), http.StatusUnauthorized},
		{"oversized", slackfake.SignedRequest(t, secret, url, "application/json", bytes.Repeat([]byte(" "), 2<<20), time.Now()), http.StatusRequestEntityTooLarge},
		{"signed garbage", slackfake.SignedRequest(t, secret, url, "application/json", []byte("{"), time.Now()), http.StatusBadRequest},
		{"forged interaction", slackfake.SignedRequest(t, "x", e.http.URL+slack.PathInteraction, "application/x-www-form-urlencoded", []byte("payload={}"), time.Now()), http.StatusUnauthorized},
		{"forged command", slackfake.SignedRequest(t, "x", e.http.URL+slack.PathCommands, "application/x-www-form-urlencoded", []byte("command=%2Fmentor"), time.Now()), http.StatusUnauthorized},
	}
	for _, tt := range tests {
		if got, _ := post(tt.req); got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
		}
	}
	get, _ := http.NewRequest(http.MethodGet, url, nil)
	if got, _ := post(get); got != http.StatusMethodNotAllowed {
		t.Errorf("GET: status %d", got)
	}
	// Slack's URL check when the Request URL is entered.
	challenge := []byte(`{"token":"t","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	code, got := post(slackfake.SignedRequest(t, secret, url, "application/json", challenge, time.Now()))
	if code != http.StatusOK || got != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("url_verification: %d %q", code, got)
	}
	// Nothing reached the engine.
	u := e.user("U11")
	u.Say(t, "hi")
	u.Expect(t, "Choose your language")
	if n := len(e.fake.Messages(slackfake.DM("U11"))); n != 1 {
		t.Fatalf("%d messages: a refused request was handled", n)
	}
}

func TestStartUpRefusesAMissingSecret(t *testing.T) {
	eng := flows.New(flows.Options{})
	if _, err := slack.New(slack.Options{BotToken: "xoxb", Engine: eng}); err == nil || !strings.Contains(err.Error(), "SLACK_SIGNING_SECRET") {
		t.Fatalf("no app token and no secret: %v", err)
	}
	if _, err := slack.New(slack.Options{AppToken: "xapp", Engine: eng}); err == nil {
		t.Fatal("no bot token was accepted")
	}
	a, err := slack.New(slack.Options{BotToken: "xoxb", AppToken: "xapp", Engine: eng})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Routes(http.NewServeMux()); err == nil {
		t.Fatal("HTTP endpoints without a signing secret were added")
	}
	if _, err := slack.New(slack.Options{BotToken: "xoxb", AppToken: "xapp", Engine: eng, Command: "mentor"}); err == nil {
		t.Fatal("a command without a slash was accepted")
	}
}
