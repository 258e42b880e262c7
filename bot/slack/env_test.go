package slack_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/bot/slack"
	"github.com/m4pris/mentorbot/bot/slack/slackfake"
	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
	"github.com/m4pris/mentorbot/flows/programme"
)

const (
	secret = "test-signing-secret"
	coord  = "UCOORD" // MENTORBOT_ADMINS=slack:UCOORD
)

// env is a running adapter against a fake Slack, on the engine and store the bot uses.
type env struct {
	fake  *slackfake.Server
	store *redis.Store
	conn  *redis.Conn
	eng   *flows.Engine
	queue *flowtest.Queue // tasks the flows schedule (none of these tests deliver them)
	a     *slack.Adapter
	http  *httptest.Server // the bot's HTTP server, in HTTP mode
}

type mode int

const (
	socketMode mode = iota
	httpMode
)

// start runs an adapter in mode; edit adjusts its options before it starts.
func start(t testing.TB, m mode, edit func(e *env, o *slack.Options)) *env {
	t.Helper()
	e := &env{fake: slackfake.New(t), conn: redistest.Open(t, redistest.DBSlack), queue: &flowtest.Queue{}}
	e.store = redis.NewStore(e.conn.Client)
	e.newEngine(0)
	o := slack.Options{
		BotToken: "xoxb-test", APIURL: e.fake.APIURL(), Engine: e.eng, Profiles: e.store, Once: e.store,
		MinInterval: -1, RetryWaits: []time.Duration{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if m == socketMode {
		o.AppToken = "xapp-test"
	} else {
		o.SigningSecret = secret
	}
	if edit != nil {
		edit(e, &o)
	}
	a, err := slack.New(o)
	if err != nil {
		t.Fatal(err)
	}
	e.a = a
	e.eng.SetSender(flows.Slack, a)
	if m == httpMode {
		mux := http.NewServeMux()
		if err := a.Routes(mux); err != nil {
			t.Fatal(err)
		}
		e.http = httptest.NewServer(mux)
		t.Cleanup(e.http.Close)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return e
}

// newEngine builds the engine with the programme; rate is the per-user limit per minute (0: the default).
func (e *env) newEngine(rate int) {
	e.eng = flows.New(flows.Options{
		Store: e.store, Clock: flows.ClockFunc(time.Now), Content: content.MustDefault(), Queue: e.queue,
		Admins: []flows.Identity{{Platform: flows.Slack, ID: coord}}, RatePerMinute: rate,
	})
	programme.Register(e.eng, programme.Deps{Directory: e.store, Invites: e.store, Links: e.store})
}

// transport is how users reach this env's bot.
func (e *env) transport() slackfake.Transport {
	if e.http != nil {
		return slackfake.HTTP(e.http.URL, secret)
	}
	return e.fake.Socket()
}

func (e *env) user(id string) *slackfake.User { return e.fake.NewUser(id, e.transport()) }

// onboard takes a Slack user through onboarding as a guest.
func onboard(t testing.TB, u *slackfake.User) {
	t.Helper()
	flowtest.Onboarding{First: "hi", KeepScores: true}.Run(
		func(s string) { u.Say(t, s) }, func(l string) { u.Press(t, l) }, func(w string) { u.Expect(t, w) })
}
