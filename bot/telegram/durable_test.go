package telegram

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
)

// three answers every text with three messages, so that a test can stop a reply set half-way.
func three(e *flows.Engine, _ *redis.Store) {
	e.Add(flows.Feature{Name: "three", TextHooks: []flows.TextHook{func(c *flows.Ctx) bool {
		for _, n := range []string{"1", "2", "3"} {
			c.Say(n + ": " + c.Event.Text)
		}
		return true
	}}})
}

// deadReplica is a replica that handled updates and then died before sending anything: its engine saved them (with
// their replies, pending) at a time a minute ago, and its store is closed, so its heartbeat is gone.
type deadReplica struct {
	eng   *flows.Engine
	store *redis.Store
}

func newDeadReplica(t *testing.T, conn *redis.Conn, api *telegramtest.Server) *deadReplica {
	t.Helper()
	st := redis.NewStore(conn.Client)
	clock := flowtest.NewClock(time.Now().Add(-time.Minute))
	e := flows.New(flows.Options{Store: st, Clock: clock, Content: content.MustDefault(), Queue: &flowtest.Queue{},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	three(e, st)
	a, err := New(Options{Token: telegramtest.Token, APIURL: api.URL, Engine: e, WebhookURL: "https://x.example/h", WebhookSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	e.SetSender(flows.Telegram, a) // an adapter that acknowledges what it sends: the engine keeps the replies
	return &deadReplica{eng: e, store: st}
}

// handle handles u as the webhook would, without sending anything.
func (d *deadReplica) handle(t *testing.T, u telegramtest.Update) {
	t.Helper()
	up, err := DecodeUpdate(marshal(t, u))
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.eng.Handle(context.Background(), convert(up).ev)
	if err != nil || res.Outbound == nil {
		t.Fatalf("handled %+v, %v", res, err)
	}
}

func (d *deadReplica) die() { d.store.Close() }

// TestRedeliveryAfterACrashSendsTheReplies: a replica saved an update and died before its replies went out (kill
// -9 right after the webhook's 200, or in polling mode before the outbox sent); when Telegram delivers the update
// again, to another replica, that one sends them, once.
func TestRedeliveryAfterACrashSendsTheReplies(t *testing.T) {
	conn := openRedis(t)
	api := telegramtest.New(t)
	user := telegramtest.User{ID: 601, FirstName: "Kim"}
	update := telegramtest.Message(api.NextUpdateID(), user, "hello")
	dead := newDeadReplica(t, conn, api)
	dead.handle(t, update)
	dead.die()

	eng, _ := engineOn(t, conn, three)
	h := start(t, api, eng, conn, true, nil)
	for range 2 {
		if code := post(h.a, testSecret, marshal(t, update)); code != http.StatusOK {
			t.Fatalf("redelivery: status %d", code)
		}
	}
	// A later update is the barrier: once its answer is there, a second copy of the first would be too.
	if code := post(h.a, testSecret, marshal(t, telegramtest.Message(api.NextUpdateID(), user, "end"))); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	api.Wait(t, waitLong, "the answer to end", func() bool { return contains(texts(api, 601), "3: end") })
	want := []string{"1: hello", "2: hello", "3: hello", "1: end", "2: end", "3: end"}
	if got := texts(api, 601); !slices.Equal(got, want) {
		t.Fatalf("messages %q, want %q", got, want)
	}
}

// TestSweepSendsWhatADeadReplicaOwed: without any redelivery, the sweeper of a living replica sends the replies a
// dead one owed, to the same chat.
func TestSweepSendsWhatADeadReplicaOwed(t *testing.T) {
	conn := openRedis(t)
	api := telegramtest.New(t)
	dead := newDeadReplica(t, conn, api)
	for _, id := range []int64{602, 603} {
		dead.handle(t, telegramtest.Message(api.NextUpdateID(), telegramtest.User{ID: id, FirstName: "Ana"}, "hi"))
	}
	dead.die()
	eng, _ := engineOn(t, conn, three)
	start(t, api, eng, conn, true, nil)
	n, err := eng.Sweep(context.Background(), 10)
	if err != nil || n != 2 {
		t.Fatalf("swept %d, %v", n, err)
	}
	for _, id := range []int64{602, 603} {
		if got := texts(api, id); !slices.Equal(got, []string{"1: hi", "2: hi", "3: hi"}) {
			t.Errorf("chat %d got %q", id, got)
		}
	}
	if n, _ := eng.Sweep(context.Background(), 10); n != 0 {
		t.Fatalf("a second sweep sent %d again", n)
	}
}

// TestPartialFailureResumesAfterTheLastSent: Telegram takes the first message of a reply set and then fails; the
// rest is released, and the sweeper sends it later, without the first again.
func TestPartialFailureResumesAfterTheLastSent(t *testing.T) {
	conn := openRedis(t)
	api := telegramtest.New(t)
	var failing atomic.Bool
	failing.Store(true)
	// Telegram failing every second message of the chat: a proxy in front of the fake answers those with 500.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if failing.Load() && bytes.Contains(body, []byte("2: now")) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"ok":false,"error_code":500,"description":"Internal Server Error"}`))
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, api.URL+r.URL.Path, bytes.NewReader(body))
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(proxy.Close)
	st := redis.NewStore(conn.Client)
	clock := flowtest.NewClock(time.Now().Add(-time.Minute)) // old enough for the sweeper at once
	eng := flows.New(flows.Options{Store: st, Clock: clock, Content: content.MustDefault(), Queue: &flowtest.Queue{},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	three(eng, st)
	h := start(t, &telegramtest.Server{URL: proxy.URL}, eng, conn, true, nil)
	user := telegramtest.User{ID: 604, FirstName: "Ion"}
	if code := post(h.a, testSecret, marshal(t, telegramtest.Message(api.NextUpdateID(), user, "now"))); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	// The job gives up after its attempts and releases what is left; the sweep takes it once it is released.
	var sent int
	for deadline := time.Now().Add(waitLong); sent == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		failing.Store(h.a.Pending() > 0) // Telegram recovers once the job gave up
		if !failing.Load() {
			n, err := eng.Sweep(context.Background(), 10)
			if err != nil {
				t.Fatal(err)
			}
			sent = n
		}
	}
	if sent != 1 {
		t.Fatal("the released replies were not swept")
	}
	if got := texts(api, 604); !slices.Equal(got, []string{"1: now", "2: now", "3: now"}) {
		t.Fatalf("messages %q, want each once, in order", got)
	}
}
