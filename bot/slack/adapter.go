// Package slack is the Slack adapter. Socket Mode (the default: no public URL needed) and signed HTTP endpoints
// receive direct messages, button presses and the slash command; each is acknowledged at once and handled after,
// in per-user order, through the engine. Replies are rendered as Block Kit; every Web API call goes through one
// schedule (per method, and per channel for messages) shared by the replicas, and is retried through Slack's
// outages and rate limits until a deadline. The adapter also publishes the App Home tab and implements
// flows.Sender (direct messages, or the coordinators' alert channel for coordinator-facing alerts).
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
)

// Engine is what the adapter needs of flows.Engine.
type Engine interface {
	Handle(ctx context.Context, ev flows.Event) (flows.Result, error)
	Commands() []string
	Content() *content.Catalog
	// Audience says whether a task's replies are for the person it names or for the coordinators as a group.
	Audience(job flows.Job) flows.Audience
}

// Profiles reads what the App Home shows. bot/redis.Store implements it.
type Profiles interface {
	Load(ctx context.Context, pid, eventID string) (flows.Snapshot, error)
	WithRole(ctx context.Context, r flows.Role) ([]string, error)
}

// Once claims a key for one caller across replicas (bot/redis.Store implements it), so an alert addressed to
// several coordinators is posted to the alert channel once.
type Once interface {
	ClaimOnce(ctx context.Context, key string, ttl time.Duration) (bool, error)
	ReleaseOnce(ctx context.Context, key string) error
}

// Metrics counts the adapter's API calls: a message Slack accepted (chat.postMessage, an ephemeral answer, a file,
// a message replaced in place), a rate-limited answer, a call made again (after a rate limit, a 5xx or a network
// error).
type Metrics = flows.SendMetrics

// Options configure the adapter. BotToken, Engine and one of AppToken or SigningSecret are required.
type Options struct {
	// BotToken (SLACK_BOT_TOKEN, xoxb-…) authorises the Web API calls.
	BotToken string
	// AppToken (SLACK_APP_TOKEN, xapp-…) turns on Socket Mode: the bot connects out to Slack.
	AppToken string
	// SigningSecret (SLACK_SIGNING_SECRET) turns on the HTTP endpoints (Routes); every request is verified with it.
	SigningSecret string
	// APIURL (SLACK_API_URL) is the Web API base; empty is Slack's own. Tests point it at a fake.
	APIURL string
	// AlertChannel (SLACK_ALERT_CHANNEL), when set, receives the replies of coordinator-facing alert tasks
	// (flows.ToCoordinators) instead of the coordinator's direct message. It should be a private channel the bot
	// was invited to. Tasks addressed to a person (an alert was taken, nobody took it) always go to that person.
	AlertChannel string
	// Command (SLACK_COMMAND) is the slash command. Empty: "/mentor".
	Command string

	Engine Engine
	// Profiles feeds the App Home; nil shows only a greeting there.
	Profiles Profiles
	// Once deduplicates alert-channel posts across replicas; nil deduplicates within this process only.
	Once Once
	// NextSession tells the App Home a user's next mentoring session, when a feature knows it; nil hides the line.
	NextSession func(ctx context.Context, p *flows.Profile) (time.Time, bool)
	// Log; nil uses slog.Default(). Nothing logged contains message text or Slack ids.
	Log *slog.Logger
	// HTTPClient makes the Web API and response_url calls. Nil: a client with a 15 s timeout.
	HTTPClient *http.Client
	// MinInterval is the least time between two messages to one channel, after a burst of ChannelBurst. Zero:
	// 1 s, Slack's rate for chat.postMessage. Negative: no pacing at all (tests); Retry-After still holds.
	MinInterval time.Duration
	// ChannelBurst is how many messages one channel may get at once (a reply of two messages should not wait).
	// Zero: 3.
	ChannelBurst int
	// Rates shares the schedule of Web API calls between replicas (bot/redis.SlackRates through cmd/mentorbot).
	// Nil: each process paces only itself.
	Rates RateStore
	// RetryFor is how long one call is retried through 5xx answers, network errors and rate limits before the
	// adapter gives up on it. Zero: 2 minutes.
	RetryFor time.Duration
	// Backoff is the first retry's delay ceiling after a 5xx or a network error; it doubles per attempt (full
	// jitter), up to 30 s. Zero: 250 ms.
	Backoff time.Duration
	// RetryWaits are the pauses before handling an update again when the store is down: the update was already
	// acknowledged, so Slack will not redeliver it. Nil: 1 s, then 4 s.
	RetryWaits []time.Duration
	// MaxPending bounds the acknowledged updates waiting to be handled, over all users; beyond it (and beyond
	// maxPerUser for one user) updates are refused before they are acknowledged, so a flood slows Slack down
	// instead of growing memory. Zero: 1,000.
	MaxPending int
	// MaxBody limits an HTTP request body. Zero: 1 MiB (Slack's payloads are a few KB).
	MaxBody int64
	// Metrics is told about messages sent, rate limits and retries. Nil counts nothing.
	Metrics Metrics
}

// Adapter connects one Slack workspace to the engine.
type Adapter struct {
	o    Options
	api  *slackapi.Client
	http *http.Client
	eng  Engine
	log  *slog.Logger
	m    Metrics

	sched *schedule
	work  *flows.Serial[string]
	slots chan struct{}    // one per update admitted and not yet handled (MaxPending)
	dms   *cache[string]   // user → DM channel with the bot
	users *cache[userInfo] // user → locale and first name, for userInfoTTL
	once  Once
	cmds  map[string]bool

	base   context.Context // for work after the acknowledgement; cancelled when Stop runs out of time
	cancel context.CancelFunc

	socket     *socketmode.Client
	stopSocket context.CancelFunc
	socketDone chan struct{}
	connected  atomic.Bool
	fatal      atomic.Value // string: why Socket Mode gave up (invalid token)
}

// A user's DM channel with the bot never changes; their name and locale rarely do, and are read only for a new
// profile, so a burst of events from one person costs one users.info call. An answer that failed is remembered
// for a minute, so an outage or a missing scope does not slow every update down.
const (
	dmTTL           = 24 * time.Hour
	userInfoTTL     = 10 * time.Minute
	userInfoFailTTL = time.Minute
)

// maxPerUser bounds the updates waiting for one user; beyond it, that user's updates are refused (a client gone
// wild, or someone tapping far faster than the bot can answer while Slack holds it back).
const maxPerUser = 16

var _ flows.Sender = (*Adapter)(nil)

// New checks the options and builds the adapter; Start begins receiving.
func New(o Options) (*Adapter, error) {
	switch {
	case o.BotToken == "":
		return nil, errors.New("slack: SLACK_BOT_TOKEN is required")
	case o.Engine == nil:
		return nil, errors.New("slack: no engine")
	case o.AppToken == "" && o.SigningSecret == "":
		return nil, errors.New("slack: set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP endpoints)")
	}
	if o.Command == "" {
		o.Command = "/mentor"
	}
	if !strings.HasPrefix(o.Command, "/") {
		return nil, fmt.Errorf("slack: SLACK_COMMAND must start with /, got %q", o.Command)
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if o.MinInterval == 0 {
		o.MinInterval = time.Second
	}
	if o.ChannelBurst <= 0 {
		o.ChannelBurst = 3
	}
	if o.RetryFor <= 0 {
		o.RetryFor = 2 * time.Minute
	}
	if o.Backoff <= 0 {
		o.Backoff = 250 * time.Millisecond
	}
	if o.RetryWaits == nil {
		o.RetryWaits = []time.Duration{time.Second, 4 * time.Second}
	}
	if o.MaxPending <= 0 {
		o.MaxPending = 1000
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 1 << 20
	}
	if o.Metrics == nil {
		o.Metrics = flows.NoSendMetrics{}
	}
	hc := tapped(o.HTTPClient)
	opts := []slackapi.Option{slackapi.OptionHTTPClient(hc)}
	if o.APIURL != "" {
		opts = append(opts, slackapi.OptionAPIURL(strings.TrimSuffix(o.APIURL, "/")+"/"))
	}
	if o.AppToken != "" {
		opts = append(opts, slackapi.OptionAppLevelToken(o.AppToken))
	}
	a := &Adapter{
		o: o, api: slackapi.New(o.BotToken, opts...), http: hc, eng: o.Engine, log: o.Log, m: o.Metrics,
		sched: newSchedule(Rate{Every: max(o.MinInterval, 0), Burst: o.ChannelBurst}, o.MinInterval < 0, o.Rates, o.Log),
		work:  &flows.Serial[string]{Max: maxPerUser}, slots: make(chan struct{}, o.MaxPending), once: o.Once,
		dms: newCache[string](10000, dmTTL), users: newCache[userInfo](10000, userInfoTTL), cmds: map[string]bool{"cancel": true},
	}
	if a.once == nil {
		a.once = &memOnce{}
	}
	for _, c := range o.Engine.Commands() {
		a.cmds[c] = true
	}
	a.base, a.cancel = context.WithCancel(context.Background())
	return a, nil
}

// Start begins receiving: it connects Socket Mode when an app token is set (the HTTP endpoints need only Routes).
func (a *Adapter) Start(ctx context.Context) error {
	if a.o.AppToken == "" {
		return nil
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.stopSocket = cancel
	a.socket = socketmode.New(a.api, socketmode.OptionLog(quietLog{}))
	a.socketDone = make(chan struct{})
	go a.runSocket(sctx)
	return nil
}

// Stop stops receiving, then waits for the updates already acknowledged to be handled and answered. When ctx ends
// first, their work is cancelled.
func (a *Adapter) Stop(ctx context.Context) error {
	if a.stopSocket != nil {
		a.stopSocket()
		select {
		case <-a.socketDone:
		case <-ctx.Done():
		}
	}
	err := a.work.Close(ctx)
	a.cancel()
	if err != nil {
		return fmt.Errorf("slack: stop: %w", err)
	}
	return nil
}

// Pending is the number of acknowledged updates not yet handled and answered (Slack's replies go out in their
// update's turn; there is no separate outbox), for the queue-depth gauge.
func (a *Adapter) Pending() int { return a.work.Len() }

// Ready reports whether the adapter can receive: in Socket Mode, once it has connected and while its token works.
func (a *Adapter) Ready(context.Context) error {
	if a.o.AppToken == "" {
		return nil
	}
	if why, _ := a.fatal.Load().(string); why != "" {
		return errors.New("slack socket mode stopped: " + why)
	}
	if !a.connected.Load() {
		return errors.New("slack socket mode not connected yet")
	}
	return nil
}

// identity is a Slack user as the engine knows them.
func identity(user string) flows.Identity { return flows.Identity{Platform: flows.Slack, ID: user} }

// cache is a small map whose entries live for ttl, and which forgets everything when it reaches its size: enough
// for ids that rarely change.
type cache[V any] struct {
	mu  sync.Mutex
	max int
	ttl time.Duration
	m   map[string]cached[V]
}

type cached[V any] struct {
	v     V
	until time.Time
}

func newCache[V any](max int, ttl time.Duration) *cache[V] {
	return &cache[V]{max: max, ttl: ttl, m: map[string]cached[V]{}}
}

func (c *cache[V]) get(k string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || time.Now().After(e.until) {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *cache[V]) put(k string, v V) { c.putFor(k, v, c.ttl) }

func (c *cache[V]) putFor(k string, v V, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[k] = cached[V]{v: v, until: time.Now().Add(ttl)}
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
