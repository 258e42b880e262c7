package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/bot/telegram"
	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func init() {
	telegramLimits = telegram.Limits{PerSecond: 1e6, ChatPerSecond: 1e6, ChatBurst: 1000, Backoff: time.Millisecond}
}

// onboardAsGuest walks a new user through onboarding without an invite code.
func onboardAsGuest(t *testing.T, p *telegramtest.Person) {
	t.Helper()
	onboardTelegram(t, p, "", "22:00–07:00")
}

// onboardTelegram walks a new user through onboarding, with an invite code for a mentee or ("") as a guest, and
// quiet, the label of the quiet-hours choice.
func onboardTelegram(t *testing.T, p *telegramtest.Person, code, quiet string) {
	t.Helper()
	p.Say(t, "/start")
	p.Expect(t, "Choose your language")
	p.Press(t, "English")
	p.Expect(t, "run by your union")
	p.Press(t, "Sounds good")
	p.Press(t, "Yes, keep them")
	p.Press(t, "Yes, you may offer")
	if code == "" {
		p.Press(t, "Continue as guest")
	} else {
		p.Press(t, "I have a code")
		p.Expect(t, "Type your invite code")
		p.Say(t, code)
		p.Expect(t, "joined as mentee")
	}
	p.Press(t, "Denmark")
	p.Press(t, quiet)
	p.Expect(t, "You're all set, "+p.FirstName)
}

// TestServeTelegramPolling runs `mentorbot serve` as the binary does, configured by environment variables only,
// against the fake Bot API, and onboards a user over long polling.
func TestServeTelegramPolling(t *testing.T) {
	redistest.Open(t, redistest.DBCmd) // flushed
	api := telegramtest.New(t)
	env := map[string]string{
		"REDIS_URL":                  redistest.URL(t, redistest.DBCmd),
		"TELEGRAM_BOT_TOKEN":         telegramtest.Token,
		"TELEGRAM_API_URL":           api.URL,
		"MENTORBOT_HTTP_ADDR":        "127.0.0.1:0",
		"MENTORBOT_SHUTDOWN_TIMEOUT": "5s",
		// serve with REDIS_URL requires both keys (keys.go): made as `mentorbot keygen` makes them.
		"MENTORBOT_DATA_KEY": newDataKey(time.Now()),
		"MENTORBOT_LOG_KEY":  newLogKey(),
	}
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"serve"}, strings.NewReader(""), io.Discard, logs, func(k string) string { return env[k] })
	}()
	defer func() {
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
		if strings.Contains(logs.String(), telegramtest.Token) {
			t.Errorf("the bot token reached the log")
		}
	}()
	onboardAsGuest(t, api.Person(telegramtest.User{ID: 4001, FirstName: "Mette", Lang: "en"}, api.ViaQueue))
	api.Wait(t, 10*time.Second, "the command menu", func() bool { return len(api.Commands("")) > 0 })
	for _, c := range api.Calls() {
		if c.Method == "getMe" && c.Status != 200 {
			t.Errorf("getMe answered %d", c.Status)
		}
	}
}

// TestServeTelegramWebhook runs Main.Serve in webhook mode: Telegram posts to the mux on the webhook URL's path.
func TestServeTelegramWebhook(t *testing.T) {
	redistest.Open(t, redistest.DBCmd)
	api := telegramtest.New(t)
	const secret = "hook-secret_1"
	s := startServe(t, telegramEnv(redistest.URL(t, redistest.DBCmd), api, secret))
	if u, sec := api.Webhook(); u != "https://bot.example.org/hooks/telegram" || sec != secret {
		t.Fatalf("webhook %q secret %q", u, sec)
	}
	if code := telegramtest.Post(t, s.Hook, "wrong", telegramtest.Message(1, telegramtest.User{ID: 1, FirstName: "X"}, "hi")); code != 401 {
		t.Errorf("wrong secret: %d", code)
	}
	onboardAsGuest(t, api.Person(telegramtest.User{ID: 4002, FirstName: "Radu", Lang: "en"}, telegramtest.ViaWebhook(s.Hook, secret)))
}
