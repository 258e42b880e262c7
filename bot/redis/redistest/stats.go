package redistest

import (
	"context"
	"strconv"
	"strings"
	"testing"

	goredis "github.com/redis/go-redis/v9"
)

// Commands returns a function reporting how many commands the server executed since Commands was called, counted
// as INFO commandstats counts them: every command a client sent, and every command a Lua script called
// (redis.call) as well as the EVAL/EVALSHA itself. The INFO calls of the counter are left out. The count is
// server-wide, so it measures only while nothing else uses the server (benchmarks run alone).
func Commands(tb testing.TB, c goredis.UniversalClient) func() int64 {
	tb.Helper()
	total := func() int64 {
		info, err := c.Info(context.Background(), "commandstats").Result()
		if err != nil {
			tb.Fatalf("INFO commandstats: %v", err)
		}
		return commandTotal(info)
	}
	start := total()
	return func() int64 { return total() - start }
}

// commandTotal adds up the calls of every command in an INFO commandstats answer, INFO itself excluded.
func commandTotal(info string) int64 {
	var n int64
	for _, line := range strings.Split(info, "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") || name == "cmdstat_info" {
			continue
		}
		calls, _, _ := strings.Cut(strings.TrimPrefix(rest, "calls="), ",")
		v, err := strconv.ParseInt(calls, 10, 64)
		if err == nil {
			n += v
		}
	}
	return n
}
