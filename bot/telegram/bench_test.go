package telegram

// Benchmarks of the webhook path with the real flows and, when REDIS_URL is set, a real Redis:
//
//	REDIS_URL=redis://127.0.0.1:6379/0 go test ./bot/telegram -run '^$' -bench Webhook -benchtime 5000x
//
// BenchmarkWebhookThroughput reports updates/s (handled, saved and answered) and Redis round trips per update; BenchmarkWebhookLatency sends
// updates over HTTP at a fixed 1,000 a second (open loop: each on its own schedule, so a slow answer does not
// hide the ones queued behind it) and reports p50/p99 of the time until Telegram would get its 200.

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
)

// benchUsers is how many different users the benchmark's updates come from.
const benchUsers = 1000

// sink is a Bot API that answers every call at once and keeps nothing: the fake's checks and records would
// otherwise take CPU from the bot on the benchmark's two cores. What Telegram spends is not the bot's latency.
func sink(b *testing.B) string {
	msg := []byte(`{"ok":true,"result":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"}}}`)
	yes := []byte(`{"ok":true,"result":true}`)
	me := []byte(`{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"b"}}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch path.Base(r.URL.Path) {
		case "sendMessage", "editMessageReplyMarkup", "sendDocument":
			_, _ = w.Write(msg)
		case "getMe":
			_, _ = w.Write(me)
		default:
			_, _ = w.Write(yes)
		}
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

// benchSetup starts an adapter with the real flows and counts Redis round trips.
func benchSetup(b *testing.B) (*harness, *redis.RoundTrips) {
	conn := openRedis(b)
	rt := &redis.RoundTrips{}
	conn.Client.AddHook(rt)
	eng, _ := engineOn(b, conn, programmeFlows)
	api := &telegramtest.Server{URL: sink(b)}
	h := start(b, api, eng, conn, true, nil)
	rt.Reset()
	return h, rt
}

// benchBody is the n-th update: users take turns, alternating a command and free text (which re-asks the
// onboarding question), so every update loads and saves a profile and sends a reply.
func benchBody(b *testing.B, n int64) []byte {
	user := telegramtest.User{ID: 10_000 + n%benchUsers, FirstName: "Bench", Lang: "da"}
	text := "/help"
	if (n/benchUsers)%2 == 1 {
		text = "hello"
	}
	return marshal(b, telegramtest.Message(n+1, user, text))
}

func BenchmarkWebhookThroughput(b *testing.B) {
	h, rt := benchSetup(b)
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = benchBody(b, int64(i))
	}
	var next atomic.Int64
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			if code := post(h.a, testSecret, bodies[i]); code != http.StatusOK {
				b.Errorf("status %d", code)
				return
			}
		}
	})
	// Every reply sent, too: intake that outruns sending only fills the outbox.
	for h.a.out.pending() > 0 {
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "updates/s")
	b.ReportMetric(float64(rt.Count())/float64(b.N), "roundtrips/update")
}

func BenchmarkWebhookLatency(b *testing.B) {
	h, rt := benchSetup(b)
	// The handler's own time is recorded too: the difference to the client's is HTTP and the load generator.
	var mu sync.Mutex
	var inHandler []time.Duration
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		h.a.ServeHTTP(w, r)
		d := time.Since(t0)
		mu.Lock()
		inHandler = append(inHandler, d)
		mu.Unlock()
	}))
	b.Cleanup(srv.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	const rate = 1000 // updates a second
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = benchBody(b, int64(i))
	}
	lat := make([]time.Duration, b.N)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		due := start.Add(time.Duration(i) * time.Second / rate)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL, bytes.NewReader(bodies[i]))
			req.Header.Set(secretHeader, testSecret)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			resp.Body.Close()
			// Latency counts from when the update was due, so a backlog shows up.
			lat[i] = time.Since(due)
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	slices.Sort(inHandler)
	pctOf := func(l []time.Duration, p float64) float64 {
		return float64(l[int(p*float64(len(l)-1))]) / float64(time.Millisecond)
	}
	pct := func(p float64) float64 { return pctOf(lat, p) }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pctOf(inHandler, 0.99), "handler-p99-ms")
	b.ReportMetric(float64(rt.Count())/float64(b.N), "roundtrips/update")
	if testing.Verbose() {
		b.Logf("%d updates at %d/s: p50 %.2f ms, p99 %.2f ms, max %.2f ms", b.N, rate, pct(0.5), pct(0.99), pct(1))
	}
}
