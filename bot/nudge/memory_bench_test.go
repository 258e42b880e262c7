package nudge_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/m4pris/mentorbot/bot/nudge"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
)

// BenchmarkTaskMemory measures the Redis memory one planned task takes in the queue: b.N lesson nudges planned
// for later (the most common planned task; its id, profile and arguments as the lessons planner makes them), on a
// redis-server of their own. Reported: used_memory per task (the task's hash and its entry in the scheduled set),
// and MEMORY USAGE of one task's hash. "default" runs Redis as it comes; "listpack128" with
// hash-max-listpack-value 128, as compose.yaml runs it: asynq keeps each task's message in a hash, which Redis
// stores compactly only while its values are at most that long (64 by default; the message is about 85 bytes).
//
//	go test ./bot/nudge -run '^$' -bench TaskMemory -benchtime 10000x
func BenchmarkTaskMemory(b *testing.B) {
	b.Run("default", func(b *testing.B) { benchTaskMemory(b, "") })
	b.Run("listpack128", func(b *testing.B) { benchTaskMemory(b, "128") })
}

func benchTaskMemory(b *testing.B, listpackValue string) {
	srv := redistest.StartServer(b)
	c := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	b.Cleanup(func() { c.Close() })
	ctx := context.Background()
	if listpackValue != "" {
		if err := c.ConfigSet(ctx, "hash-max-listpack-value", listpackValue).Err(); err != nil {
			b.Fatal(err)
		}
	}
	clock := flowtest.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	q := nudge.NewQueue(c, clock, nudge.QueueOptions{})
	used := func() int64 {
		for _, line := range strings.Split(c.Info(ctx, "memory").Val(), "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				return n
			}
		}
		return 0
	}
	// The queue's own keys (created with its first task) are not a task's.
	if err := q.Enqueue(ctx, flows.Task{ID: "first", Profile: "p", Job: "x", At: clock.Now().Add(time.Hour)}); err != nil {
		b.Fatal(err)
	}
	before := used()
	b.ResetTimer()
	for i := range b.N {
		pid := flows.ProfileID(flowtest.Identity("user" + strconv.Itoa(i)))
		day := clock.Now().Add(time.Duration(1+i%7) * 24 * time.Hour).Format("2006-01-02")
		t := flows.Task{ID: "lessons.nudge:" + pid + ":" + day, Profile: pid, Job: "lessons.nudge",
			At: clock.Now().Add(time.Duration(1+i%7) * 24 * time.Hour)}
		if err := q.Enqueue(ctx, t); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(used()-before)/float64(b.N), "B/task")
	keys, _ := c.Keys(ctx, "asynq:{mentorbot}:t:*").Result()
	if len(keys) > 0 {
		b.ReportMetric(float64(c.MemoryUsage(ctx, keys[0]).Val()), "B/hash")
		if testing.Verbose() {
			b.Logf("%s: %s, %q", keys[0], c.ObjectEncoding(ctx, keys[0]).Val(), c.HGetAll(ctx, keys[0]).Val())
		}
	}
}
