package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis/redistest"
)

// TestKillLosesNoReply is the short kill test CI runs: `mentorbot serve` (built from this tree) is killed with
// SIGKILL three times while users go through a conversation, in webhook and in polling mode; no message may be
// lost. Repeats are allowed (Telegram has no idempotency key): at most the message in flight per chat and kill.
// The full run is `go run ./cmd/mentorload -kill 20` (BENCHMARKS.md).
func TestKillLosesNoReply(t *testing.T) {
	srv := redistest.StartServer(t)
	bin := buildServe(t)
	for _, polling := range []bool{false, true} {
		name := "webhook"
		if polling {
			name = "polling"
		}
		t.Run(name, func(t *testing.T) {
			rep, err := runKill(context.Background(), killOptions{
				bin: bin, redisURL: srv.URL(), users: 6, kills: 3, steps: 8, polling: polling, seed: 7,
				stepWait: 3 * time.Second, settle: 60 * time.Second, ready: 2 * time.Minute, log: io.Discard,
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Log(rep)
			if rep.Kills != 3 {
				t.Errorf("%d kills made, want 3", rep.Kills)
			}
			if rep.Lost != 0 {
				t.Errorf("%d messages lost", rep.Lost)
			}
			if rep.Unexpected != 0 {
				t.Errorf("%d messages nobody expected", rep.Unexpected)
			}
			if rep.MaxRepeatedPerKill > 1 {
				t.Errorf("a user got %d messages again from one kill: more than the one in flight", rep.MaxRepeatedPerKill)
			}
		})
	}
}

// buildServe builds cmd/mentorbot into the test's directory. Without the race detector even when the test has it:
// a race-enabled serve starts several times slower, and the test restarts it after every kill (CI's content check
// has built the packages this way already).
func buildServe(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mentorbot")
	cmd := exec.Command("go", "build", "-o", bin, "../mentorbot")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build mentorbot: %v", err)
	}
	return bin
}
