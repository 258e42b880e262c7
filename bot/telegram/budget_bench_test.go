package telegram

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
)

// BenchmarkUpdateBudget measures what one update with one reply costs Redis, everything included: loading and
// saving the user, booking the reply in the send schedule the replicas share, and acknowledging the reply once
// Telegram took it. It reports round trips (go-redis hook) and commands as INFO commandstats counts them (the
// commands Lua scripts call included), so it needs a Redis of its own:
//
//	REDIS_URL=redis://127.0.0.1:6405/0 go test ./bot/telegram -run '^$' -bench UpdateBudget -benchtime 5000x
//
// Each user's first update (a new profile, which also joins the global indexes) is sent before the measurement.
// "store" paces sends in the process (one replica), "shared" books them in the schedule the replicas share.
func BenchmarkUpdateBudget(b *testing.B) {
	if !redistest.Real() {
		b.Skip("counts commands with INFO commandstats: needs REDIS_URL")
	}
	b.Run("store", func(b *testing.B) { benchBudget(b, false) })
	b.Run("shared", func(b *testing.B) { benchBudget(b, true) })
}

func benchBudget(b *testing.B, shared bool) {
	conn := openRedis(b)
	eng, _ := engineOn(b, conn, programmeFlows)
	api := &telegramtest.Server{URL: sink(b)}
	h := start(b, api, eng, conn, true, func(o *Options) {
		if shared {
			o.Rates = sharedRates{redis.NewRates(conn.Client, "bench")}
		}
	})
	const users = 200
	var id atomic.Int64
	send := func(user int64, text string) {
		u := telegramtest.User{ID: 20_000 + user, FirstName: "Bench", Lang: "da"}
		if code := post(h.a, testSecret, marshal(b, telegramtest.Message(id.Add(1), u, text))); code != http.StatusOK {
			b.Fatalf("status %d", code)
		}
	}
	for u := range int64(users) {
		send(u, "/start")
	}
	settle(h.a)
	rt := &redis.RoundTrips{}
	conn.Client.AddHook(rt)
	commands := redistest.Commands(b, conn.Client)
	rt.Reset()
	b.ResetTimer()
	var next atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			send(next.Add(1)%users, "/help")
		}
	})
	settle(h.a)
	b.StopTimer()
	trips := rt.Count()
	b.ReportMetric(float64(trips)/float64(b.N), "roundtrips/update")
	b.ReportMetric(float64(commands())/float64(b.N), "commands/update")
}

// settle waits until every queued reply was sent.
func settle(a *Adapter) {
	for a.out.pending() > 0 {
		time.Sleep(time.Millisecond)
	}
}
