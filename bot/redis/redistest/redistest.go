// Package redistest opens Redis for tests: the real server at REDIS_URL when set (CI sets it), an embedded
// in-process server otherwise. Each test package uses its own database number, because `go test ./...` runs
// packages in parallel and every test flushes its database first.
package redistest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"testing"

	"github.com/alicebob/miniredis/v2"
	goredis "github.com/redis/go-redis/v9"

	"github.com/m4pris/mentorbot/bot/redis"
)

// Database numbers, one per test package that uses Redis.
const (
	DBRedis    = 1
	DBConsole  = 2
	DBTelegram = 3
	DBSlack    = 4
	DBNudge    = 5
	DBCheckin  = 6
	DBLessons  = 7
	DBCmd      = 8
	DBSessions = 9
	DBWeb      = 10
	DBSpare1   = 11
	DBSpare2   = 12
)

// Real reports whether tests run against a real server (REDIS_URL set).
func Real() bool { return os.Getenv("REDIS_URL") != "" }

// Open returns a connection to database db, flushed, closed when the test ends.
func Open(tb testing.TB, db int) *redis.Conn {
	tb.Helper()
	ctx := context.Background()
	raw := os.Getenv("REDIS_URL")
	if raw == "" {
		m := miniredis.NewMiniRedis()
		if err := m.Start(); err != nil {
			tb.Fatalf("start embedded redis: %v", err)
		}
		tb.Cleanup(m.Close)
		c := goredis.NewUniversalClient(&goredis.UniversalOptions{Addrs: []string{m.Addr()}})
		tb.Cleanup(func() { c.Close() })
		return &redis.Conn{Client: c, Addr: m.Addr()}
	}
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatalf("REDIS_URL: %v", err)
	}
	u.Path = fmt.Sprintf("/%d", db)
	o, err := goredis.ParseURL(u.String())
	if err != nil {
		tb.Fatalf("REDIS_URL: %v", err)
	}
	c := goredis.NewClient(o)
	if err := c.Ping(ctx).Err(); err != nil {
		tb.Fatalf("REDIS_URL is set but Redis does not answer: %v", err)
	}
	if err := c.FlushDB(ctx).Err(); err != nil {
		tb.Fatalf("flush: %v", err)
	}
	tb.Cleanup(func() { c.Close() })
	pw, _ := u.User.Password()
	return &redis.Conn{Client: c, Addr: o.Addr, Password: pw, DB: db}
}

// URL returns REDIS_URL pointed at database db, for code that connects by URL itself.
func URL(tb testing.TB, db int) string {
	tb.Helper()
	raw := os.Getenv("REDIS_URL")
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatalf("REDIS_URL: %v", err)
	}
	u.Path = fmt.Sprintf("/%d", db)
	return u.String()
}
