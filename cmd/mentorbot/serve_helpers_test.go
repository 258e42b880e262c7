package main

import (
	"context"
	"errors"
	"maps"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/telegram"
	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
)

// openMain builds a Main as the binary does, from environment variables given as a map, logging to logs. It is
// closed when the test ends (closing it earlier as well is fine).
func openMain(t testing.TB, vars map[string]string, logs *syncBuffer) *Main {
	t.Helper()
	cfg, err := configFromEnv(env(vars))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Open(context.Background(), cfg, newLogger(logs, cfg.LogLevel), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// served is a Main running Serve on a free local port for one test.
type served struct {
	*Main
	// Base is the HTTP server's base URL, http://127.0.0.1:port.
	Base string
	// Hook is the Telegram webhook endpoint (TELEGRAM_WEBHOOK_URL's path on Base); empty in polling mode.
	Hook string
	// Logs holds everything the server logged.
	Logs *syncBuffer

	cancel   context.CancelFunc
	errc     chan error
	stopOnce sync.Once
	stopErr  error
}

// startServe opens a Main from vars (MENTORBOT_SHUTDOWN_TIMEOUT defaults to 5s here), lets each of opts change it
// (shorter HTTP limits, a metrics listener), runs Serve on a free port and returns once the server answers /readyz,
// which is after every component started (in webhook mode that includes setWebhook). When the test ends Serve is
// stopped, must return nil, and Redis is closed.
func startServe(t testing.TB, vars map[string]string, opts ...func(*Main)) *served {
	t.Helper()
	vars = maps.Clone(vars)
	if vars["MENTORBOT_SHUTDOWN_TIMEOUT"] == "" {
		vars["MENTORBOT_SHUTDOWN_TIMEOUT"] = "5s"
	}
	logs := &syncBuffer{}
	m := openMain(t, vars, logs)
	for _, o := range opts {
		o(m)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{Main: m, Base: "http://" + ln.Addr().String(), Logs: logs, cancel: cancel, errc: make(chan error, 1)}
	go func() { s.errc <- m.Serve(ctx, ln) }()
	t.Cleanup(func() { // runs before openMain's Close: cleanups run last-registered first
		if err := s.Stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	if m.Config.TelegramToken != "" && m.Config.TelegramWebhookURL != "" {
		path := telegram.DefaultWebhookPath
		if u, err := url.Parse(m.Config.TelegramWebhookURL); err == nil && u.Path != "" && u.Path != "/" {
			path = u.Path
		}
		s.Hook = s.Base + path
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-s.errc:
			s.errc <- err // for Stop
			t.Fatalf("serve ended before it was ready: %v", err)
		default:
		}
		if s.status("/readyz") == http.StatusOK {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not become ready")
		}
	}
}

// status is the status of GET path, or 0 when the request failed.
func (s *served) status(path string) int {
	resp, err := http.Get(s.Base + path)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Stop cancels Serve and waits for it (at most 15 s), returning what Serve returned. Later calls return the same.
func (s *served) Stop() error {
	s.stopOnce.Do(func() {
		s.cancel()
		select {
		case s.stopErr = <-s.errc:
		case <-time.After(15 * time.Second):
			s.stopErr = errors.New("serve did not stop within 15 s")
		}
	})
	return s.stopErr
}

// telegramEnv is the environment of Telegram in webhook mode against the fake api, on Redis at redisURL.
func telegramEnv(redisURL string, api *telegramtest.Server, secret string) map[string]string {
	return map[string]string{
		"REDIS_URL":               redisURL,
		"TELEGRAM_BOT_TOKEN":      telegramtest.Token,
		"TELEGRAM_API_URL":        api.URL,
		"TELEGRAM_WEBHOOK_URL":    "https://bot.example.org/hooks/telegram",
		"TELEGRAM_WEBHOOK_SECRET": secret,
	}
}

// updatesTotal reads mentorbot_updates_total{platform, outcome} from m's metrics registry ("" matches any).
func updatesTotal(m *Main, platform, outcome string) int {
	return int(counterSum(m, "mentorbot_updates_total", map[string]string{"platform": platform, "outcome": outcome}))
}

// counterSum adds up the counter name's series in m's registry whose labels match (an empty value matches any).
func counterSum(m *Main, name string, match map[string]string) float64 {
	mfs, err := m.Metrics.Registry.Gather()
	if err != nil {
		panic(err)
	}
	total := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, c := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range c.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			for k, v := range match {
				if v != "" && labels[k] != v {
					continue series
				}
			}
			total += c.GetCounter().GetValue()
		}
	}
	return total
}
