package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
)

// TestRedisDownDuringWebhookTraffic stops the bot's Redis (a redis-server with AOF of the test's own) while
// Telegram keeps posting updates: the webhook answers 5xx so Telegram redelivers, the user is told to try again,
// nothing crashes; after Redis is back each redelivered update is handled exactly once and what was saved before
// the outage is still there.
func TestRedisDownDuringWebhookTraffic(t *testing.T) {
	srv := redistest.StartServer(t)
	api := telegramtest.New(t)
	const secret = "fault-secret"
	cfg, err := configFromEnv(env(map[string]string{
		"REDIS_URL": srv.URL(), "TELEGRAM_BOT_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": api.URL,
		"TELEGRAM_WEBHOOK_URL": "https://bot.example.org/hooks/telegram", "TELEGRAM_WEBHOOK_SECRET": secret,
	}))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ShutdownTimeout = 5 * time.Second
	m, err := Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- m.Serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	api.Wait(t, 10*time.Second, "setWebhook", func() bool { u, _ := api.Webhook(); return u != "" })
	hook := "http://" + ln.Addr().String() + "/hooks/telegram"
	user := telegramtest.User{ID: 7001, FirstName: "Ana", Lang: "en"}
	count := func(substr string) int {
		n := 0
		for _, c := range api.Messages(user.ID) {
			if strings.Contains(c.Plain, substr) {
				n++
			}
		}
		return n
	}
	if code := telegramtest.Post(t, hook, secret, telegramtest.Message(1, user, "/start")); code != 200 {
		t.Fatalf("before the outage: %d", code)
	}
	api.Wait(t, 5*time.Second, "the language question", func() bool { return count("Choose your language") == 1 })

	srv.Kill() // a crash: the AOF (everysec) keeps what was written more than a second ago
	time.Sleep(1100 * time.Millisecond)
	down := time.Now()
	for id := int64(2); id <= 4; id++ {
		// Telegram redelivers each one; every attempt while Redis is down must fail loudly, not be dropped.
		for attempt := 0; attempt < 3; attempt++ {
			if code := telegramtest.Post(t, hook, secret, telegramtest.Message(id, user, "/help")); code < 500 {
				t.Fatalf("update %d while Redis is down answered %d, want 5xx", id, code)
			}
		}
	}
	api.Wait(t, 5*time.Second, "a try-again reply", func() bool { return count("try again in a moment") >= 1 })
	t.Logf("Redis down for %v", time.Since(down).Round(time.Millisecond))

	srv.Start()
	for id := int64(2); id <= 4; id++ {
		var code int
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if code = telegramtest.Post(t, hook, secret, telegramtest.Message(id, user, "/help")); code == 200 {
				break
			}
		}
		if code != 200 {
			t.Fatalf("redelivery of update %d after recovery: %d", id, code)
		}
		// A second redelivery of the same update changes nothing and sends nothing.
		if code := telegramtest.Post(t, hook, secret, telegramtest.Message(id, user, "/help")); code != 200 {
			t.Fatalf("duplicate of update %d: %d", id, code)
		}
	}
	// Each redelivered /help is answered once: three help texts, not more.
	api.Wait(t, 5*time.Second, "three help texts", func() bool { return count("/forget") == 3 })
	time.Sleep(300 * time.Millisecond)
	if n := count("/forget"); n != 3 {
		t.Fatalf("help sent %d times, want 3", n)
	}
	// The conversation saved before the crash survived: the language question is still open.
	if code := telegramtest.Post(t, hook, secret, telegramtest.Message(5, user, "English")); code != 200 {
		t.Fatalf("after recovery: %d", code)
	}
	if !api.WaitFor(5*time.Second, func() bool { return count("The programme is run by your union") == 1 }) {
		for _, c := range api.Messages(user.ID) {
			t.Logf("sent: %.80q", c.Plain)
		}
		t.Fatal("onboarding did not continue")
	}
}
