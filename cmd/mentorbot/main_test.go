package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/m4pris/mentorbot/bot/redis/redistest"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestContentCheckCommand(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"content", "check"}, nil, &out, io.Discard, env(nil)); err != nil {
		t.Fatalf("content check: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "content check: ok") {
		t.Fatalf("output: %q", out.String())
	}
}

func TestVersionAndUsage(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, nil, &out, io.Discard, env(nil)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "mentorbot dev\n") {
		t.Fatalf("version output %q", out.String())
	}
	if err := run(context.Background(), nil, nil, &out, io.Discard, env(nil)); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Fatalf("no arguments: %v", err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, nil, &out, io.Discard, env(nil)); err == nil {
		t.Fatal("unknown subcommand accepted")
	}
}

func TestConfigErrors(t *testing.T) {
	for name, e := range map[string]map[string]string{
		"bad admin":              {"MENTORBOT_ADMINS": "telegram:1,nonsense"},
		"unknown platform":       {"MENTORBOT_ADMINS": "icq:123"},
		"webhook without secret": {"TELEGRAM_WEBHOOK_URL": "https://example.org/hook"},
		"bad timeout":            {"MENTORBOT_SHUTDOWN_TIMEOUT": "soon"},
		"bad send rate":          {"TELEGRAM_SEND_RATE": "fast"},
		"zero send rate":         {"TELEGRAM_SEND_RATE": "0"},
	} {
		if _, err := configFromEnv(env(e)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c, err := configFromEnv(env(map[string]string{"MENTORBOT_ADMINS": " telegram:42 , slack:U1 "}))
	if err != nil || len(c.Admins) != 2 || c.Admins[0].ID != "42" || c.HTTPAddr != ":8080" {
		t.Fatalf("config: %+v %v", c, err)
	}
}

// TestChatCommand is the README's first command, driven through stdin: onboarding in Danish on the embedded
// store (or REDIS_URL).
func TestChatCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	in := strings.NewReader("/start\n2\n1\n1\n2\n2\n1\n1\n/quit\n")
	e := env(map[string]string{"REDIS_URL": redistest.URL(t, redistest.DBCmd)})
	if err := run(context.Background(), []string{"chat", "--as", "Mette"}, in, &out, &errOut, e); err != nil {
		t.Fatalf("chat: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "Så er du klar, Mette!") {
		t.Fatalf("chat output:\n%s", out.String())
	}
}

// TestServeHealth runs serve's Main on a free port: /healthz, /readyz and /metrics answer, and cancelling stops it.
func TestServeHealth(t *testing.T) {
	redistest.Open(t, redistest.DBCmd) // flushes the database
	s := startServe(t, map[string]string{"REDIS_URL": redistest.URL(t, redistest.DBCmd), "MENTORBOT_LOG_LEVEL": "error"})
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		if code := s.status(path); code != http.StatusOK {
			t.Errorf("%s: %d", path, code)
		}
	}
	if err := s.Stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if code := s.status("/healthz"); code != 0 {
		t.Errorf("after stop /healthz still answers %d", code)
	}
}
