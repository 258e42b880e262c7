package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
)

// The two secrets of a deployment:
//
//   - MENTORBOT_DATA_KEY seals health data in Redis (flows/seal): comma-separated keys, the sealing key first,
//     each "id:base64" of 32 random bytes. keygen makes the id from the date ("k20260315-1a2b"), so that the newer
//     of two keys is plain to see when rotating.
//   - MENTORBOT_LOG_KEY keys the pseudonymous user references in logs (an HMAC-SHA256 key, used as given): any
//     secret of at least minLogKey characters. keygen makes 32 random bytes in URL-safe base64 (43 characters).
//     Changing it changes every reference, so references from before and after cannot be matched.
//
// With REDIS_URL, serve refuses to start without both (requireKeys): without a data key, scores could not be
// kept while onboarding promises it; without a log key, anyone with the code could link references to ids. The
// local chat and tests on the embedded store get keys for the life of the process (ephemeralKeys), like the store.

// minLogKey is the shortest MENTORBOT_LOG_KEY accepted: 16 characters, already out of reach of guessing when random.
const minLogKey = 16

const keygenUsage = `usage:
  mentorbot keygen        print a new MENTORBOT_DATA_KEY and MENTORBOT_LOG_KEY as lines for .env
  mentorbot keygen data   print only a new data key (to rotate: put it first, before the old one)
  mentorbot keygen log    print only a new log key`

// runKeygen prints fresh keys in the form the configuration reads.
func runKeygen(args []string, stdout io.Writer) error {
	now := time.Now()
	switch {
	case len(args) == 0:
		fmt.Fprintf(stdout, "MENTORBOT_DATA_KEY=%s\nMENTORBOT_LOG_KEY=%s\n", newDataKey(now), newLogKey())
	case len(args) == 1 && args[0] == "data":
		fmt.Fprintln(stdout, newDataKey(now))
	case len(args) == 1 && args[0] == "log":
		fmt.Fprintln(stdout, newLogKey())
	default:
		return errors.New(keygenUsage)
	}
	return nil
}

// newDataKey is one MENTORBOT_DATA_KEY entry: "k" and the date and 4 random hex digits as its id (at most 16
// characters, as seal requires), a colon, 32 random bytes in URL-safe base64.
func newDataKey(now time.Time) string {
	return "k" + now.UTC().Format("20060102") + "-" + hex.EncodeToString(random(2)) + ":" +
		base64.RawURLEncoding.EncodeToString(random(32))
}

// newLogKey is a MENTORBOT_LOG_KEY: 32 random bytes in URL-safe base64.
func newLogKey() string { return base64.RawURLEncoding.EncodeToString(random(32)) }

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails on supported platforms (crypto/rand)
	return b
}

// checkLogKey checks MENTORBOT_LOG_KEY when it is set.
func checkLogKey(v string) error {
	if v != "" && len(v) < minLogKey {
		return fmt.Errorf("MENTORBOT_LOG_KEY: %d characters, want at least %d (make one with `mentorbot keygen log`)", len(v), minLogKey)
	}
	return nil
}

// requireKeys refuses a configuration that keeps state in a real Redis without both keys, saying how to make them.
func requireKeys(c Config) error {
	if c.RedisURL == "" {
		return nil
	}
	var missing []string
	if c.DataKey == "" {
		missing = append(missing, "MENTORBOT_DATA_KEY")
	}
	if c.LogKey == "" {
		missing = append(missing, "MENTORBOT_LOG_KEY")
	}
	if len(missing) == 0 {
		return nil
	}
	verb := "is"
	if len(missing) > 1 {
		verb = "are"
	}
	return fmt.Errorf(`REDIS_URL is set but %s %s not, and serve does not keep people's data without both keys:
  MENTORBOT_DATA_KEY encrypts check-in scores and answers in Redis;
  MENTORBOT_LOG_KEY keys the pseudonymous references in the logs, so that they cannot be traced back to people.
Make them with
  mentorbot keygen >> .env
or, with Docker Compose,
  docker compose run --rm --no-deps mentorbot keygen >> .env
(for one key only: mentorbot keygen data, mentorbot keygen log). Keep a copy apart from the Redis backups:
what is sealed with a lost data key cannot be read again`, strings.Join(missing, " and "), verb)
}

// ephemeralKeys fills in a missing MENTORBOT_LOG_KEY with a random key for the life of the process, rather than a
// fixed one anyone could use to link log references to ids, and says so in the log. (A missing data key is handled
// by checkinDeps: a key for the life of the process on the embedded store, no kept scores on a real Redis.)
func ephemeralKeys(c *Config, embedded bool, log *slog.Logger) {
	var made []string
	if c.LogKey == "" {
		c.LogKey = newLogKey()
		made = append(made, "MENTORBOT_LOG_KEY")
	}
	if embedded && c.DataKey == "" {
		made = append(made, "MENTORBOT_DATA_KEY")
	}
	switch {
	case len(made) == 0:
	case embedded:
		log.Warn(strings.Join(made, " and ") + " not set: using keys made for this run only, " +
			"like the embedded store itself (nothing is kept after exit)")
	default:
		log.Warn("MENTORBOT_LOG_KEY not set: log references are keyed for this run only and cannot be matched " +
			"across restarts (serve requires it; make one with `mentorbot keygen log`)")
	}
}
