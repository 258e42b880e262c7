package telegram

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
	"github.com/m4pris/mentorbot/flows/programme"
)

const testSecret = "s3cret-Token_for-tests"

// waitLong bounds every wait for the adapter; tests normally pass in milliseconds.
const waitLong = 10 * time.Second

// fast are limits that never hold a test up; the pacer's own behaviour is tested separately.
var fast = Limits{PerSecond: 1e6, ChatPerSecond: 1e6, ChatBurst: 1000, GroupPerMinute: 1e6, Backoff: time.Millisecond}

// flakyStore fails every call while down is set, as a store whose Redis is unreachable.
type flakyStore struct {
	*redis.Store
	down atomic.Bool
}

var errDown = io.ErrUnexpectedEOF

func (f *flakyStore) Load(ctx context.Context, pid, ev string) (flows.Snapshot, error) {
	if f.down.Load() {
		return flows.Snapshot{}, errDown
	}
	return f.Store.Load(ctx, pid, ev)
}

func (f *flakyStore) Save(ctx context.Context, pid string, s flows.Snapshot, ev string, out *flows.Outbound) error {
	if f.down.Load() {
		return errDown
	}
	return f.Store.Save(ctx, pid, s, ev, out)
}

// engineOn builds an engine on conn. setup registers flows: programme (the real ones) or echo.
func engineOn(t testing.TB, conn *redis.Conn, setup func(*flows.Engine, *redis.Store), admins ...flows.Identity) (*flows.Engine, *flakyStore) {
	t.Helper()
	st := &flakyStore{Store: redis.NewStore(conn.Client)}
	e := flows.New(flows.Options{
		Store: st, Clock: flows.ClockFunc(time.Now), Content: content.MustDefault(), Queue: &flowtest.Queue{},
		Admins: admins, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	setup(e, st.Store)
	return e, st
}

func programmeFlows(e *flows.Engine, s *redis.Store) {
	programme.Register(e, programme.Deps{Directory: s, Invites: s})
}

// echo answers every text with "echo: TEXT", before any flow sees it, so tests can follow order and count replies.
func echo(e *flows.Engine, _ *redis.Store) {
	e.Add(flows.Feature{Name: "echo", TextHooks: []flows.TextHook{func(c *flows.Ctx) bool {
		c.Say("echo: " + c.Event.Text)
		return true
	}}})
}

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type harness struct {
	api  *telegramtest.Server
	a    *Adapter
	logs *logBuffer
	// hook is the webhook URL (webhook mode).
	hook string
}

// start builds and starts an adapter against api; webhook selects the mode. It is stopped when the test ends.
func start(t testing.TB, api *telegramtest.Server, eng *flows.Engine, conn *redis.Conn, webhook bool, edit func(*Options)) *harness {
	t.Helper()
	h := &harness{api: api, logs: &logBuffer{}}
	o := Options{
		Token: telegramtest.Token, APIURL: api.URL, Engine: eng, Locker: redis.NewLocks(conn.Client),
		Logger: slog.New(slog.NewTextHandler(h.logs, nil)), Limits: fast, PollTimeout: time.Second, LockTTL: 3 * time.Second,
	}
	if webhook {
		o.WebhookURL, o.WebhookSecret = "https://bot.example.org/telegram/webhook", testSecret
	}
	if edit != nil {
		edit(&o)
	}
	a, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	h.a = a
	eng.SetSender(flows.Telegram, a)
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if webhook {
		srv := httptest.NewServer(a)
		t.Cleanup(srv.Close)
		h.hook = srv.URL + a.WebhookPath()
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return h
}

func (h *harness) deliver() func(testing.TB, telegramtest.Update) {
	if h.hook != "" {
		return telegramtest.ViaWebhook(h.hook, testSecret)
	}
	return h.api.ViaQueue
}

// texts returns the plain texts delivered to chat.
func texts(api *telegramtest.Server, chat int64) []string {
	var out []string
	for _, m := range api.Messages(chat) {
		out = append(out, m.Plain)
	}
	return out
}

func openRedis(t testing.TB) *redis.Conn { return redistest.Open(t, redistest.DBTelegram) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}
