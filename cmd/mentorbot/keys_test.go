package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/flows/seal"
)

// TestServeRefusesWithoutKeys runs the binary's main (this test binary, re-executed) as `mentorbot serve` with
// REDIS_URL and without one key or both: it exits 1 before touching Redis, naming what is missing and how to make
// it.
func TestServeRefusesWithoutKeys(t *testing.T) {
	if os.Getenv("MENTORBOT_TEST_MAIN") == "1" {
		os.Args = []string{"mentorbot", "serve"}
		main()
		return
	}
	dataKey, logKey := newDataKey(testNow), newLogKey()
	for _, c := range []struct {
		name, data, log string
		missing         []string
	}{
		{"no keys", "", "", []string{"MENTORBOT_DATA_KEY and MENTORBOT_LOG_KEY are not"}},
		{"no data key", "", logKey, []string{"MENTORBOT_DATA_KEY is not"}},
		{"no log key", dataKey, "", []string{"MENTORBOT_LOG_KEY is not"}},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestServeRefusesWithoutKeys$")
		// Port 1 on this host: nothing listens there, so an attempt to connect would be a different error.
		cmd.Env = append(os.Environ(), "MENTORBOT_TEST_MAIN=1", "REDIS_URL=redis://127.0.0.1:1/0",
			"MENTORBOT_DATA_KEY="+c.data, "MENTORBOT_LOG_KEY="+c.log, "TELEGRAM_BOT_TOKEN=", "SLACK_BOT_TOKEN=")
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("%s: exit %v, want status 1\n%s", c.name, err, out)
			continue
		}
		for _, want := range append(c.missing, "mentorbot: REDIS_URL is set", "mentorbot keygen >> .env", "docker compose run --rm --no-deps mentorbot keygen") {
			if !strings.Contains(string(out), want) {
				t.Errorf("%s: the message does not say %q:\n%s", c.name, want, out)
			}
		}
		if strings.Contains(string(out), "connection refused") || strings.Contains(string(out), "http listening") {
			t.Errorf("%s: serve went on before refusing:\n%s", c.name, out)
		}
	}
}

var testNow = time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)

// TestKeygen: each form prints keys that the configuration accepts and seal can use; two runs differ.
func TestKeygen(t *testing.T) {
	keygen := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(context.Background(), append([]string{"keygen"}, args...), nil, &out, io.Discard, env(nil)); err != nil {
			t.Fatalf("keygen %v: %v", args, err)
		}
		return out.String()
	}
	lines := regexp.MustCompile(`^MENTORBOT_DATA_KEY=(k\d{8}-[0-9a-f]{4}:[A-Za-z0-9_-]{43})\nMENTORBOT_LOG_KEY=([A-Za-z0-9_-]{43})\n$`)
	first, second := keygen(), keygen()
	m := lines.FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("keygen printed %q", first)
	}
	if first == second {
		t.Error("two runs printed the same keys")
	}
	keys, err := seal.ParseKeys(m[1])
	if err != nil || len(keys) != 1 || len(keys[0].Secret) != 32 {
		t.Fatalf("data key %q: %v %v", m[1], keys, err)
	}
	box, err := seal.New(keys...)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := box.Seal("owner", []byte("score 12"))
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := box.Open("owner", sealed); err != nil || string(plain) != "score 12" {
		t.Errorf("sealed with the new key, opened %q, %v", plain, err)
	}
	vars := map[string]string{"REDIS_URL": "redis://127.0.0.1:1/0", "MENTORBOT_DATA_KEY": m[1], "MENTORBOT_LOG_KEY": m[2]}
	cfg, err := configFromEnv(env(vars))
	if err != nil {
		t.Fatalf("config with the printed keys: %v", err)
	}
	if err := requireKeys(cfg); err != nil {
		t.Errorf("serve would refuse the printed keys: %v", err)
	}

	// One key at a time; a new data key put before the old one is a rotation the configuration accepts.
	data := strings.TrimSpace(keygen("data"))
	if keys, err := seal.ParseKeys(data + "," + m[1]); err != nil || len(keys) != 2 || keys[0].ID == keys[1].ID {
		t.Errorf("rotation %q: %v %v", data, keys, err)
	}
	if log := strings.TrimSpace(keygen("log")); checkLogKey(log) != nil || len(log) != 43 {
		t.Errorf("log key %q", log)
	}
	if err := run(context.Background(), []string{"keygen", "both"}, nil, io.Discard, io.Discard, env(nil)); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("keygen both: %v", err)
	}
}

func TestLogKeyConfig(t *testing.T) {
	if _, err := configFromEnv(env(map[string]string{"MENTORBOT_LOG_KEY": "short"})); err == nil || !strings.Contains(err.Error(), "keygen log") {
		t.Errorf("a 5-character log key: %v", err)
	}
	if err := requireKeys(Config{}); err != nil {
		t.Errorf("no REDIS_URL (embedded store) needs no keys: %v", err)
	}
}

// TestChatWithoutKeys: the local chat starts on the embedded store with no keys at all, says plainly in its log
// that the keys are for this run only, and onboarding (with the keep-scores consent) completes.
func TestChatWithoutKeys(t *testing.T) {
	var out, errOut bytes.Buffer
	in := strings.NewReader("/start\n1\n1\n1\n2\n2\n1\n1\n/quit\n")
	if err := run(context.Background(), []string{"chat", "--as", "Ana"}, in, &out, &errOut, env(nil)); err != nil {
		t.Fatalf("chat: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "You're all set, Ana!") {
		t.Fatalf("chat output:\n%s", out.String())
	}
	if !strings.Contains(errOut.String(), "MENTORBOT_LOG_KEY and MENTORBOT_DATA_KEY not set: using keys made for this run only") {
		t.Errorf("the log does not say the keys are for this run:\n%s", errOut.String())
	}
}
