// Package telegram is the Telegram adapter: updates arrive by webhook (our own handler, which answers 200 only
// after the engine saved the update) or by long polling (one poller across replicas, under a Redis lease), become
// flows events, and the replies go out through one paced, per-chat ordered outbox. It uses go-telegram/bot for the
// Bot API client and its types, not for receiving updates.
package telegram

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot"

	"github.com/m4pris/mentorbot/bot/internal/serial"
	"github.com/m4pris/mentorbot/flows"
)

// Locker holds named leases across replicas (bot/redis.Locks implements it). Polling needs one: Telegram answers
// a second concurrent getUpdates with 409, and two pollers would fight over the offset.
type Locker interface {
	Acquire(ctx context.Context, name, owner string, ttl time.Duration) (bool, error)
	Renew(ctx context.Context, name, owner string, ttl time.Duration) (bool, error)
	Release(ctx context.Context, name, owner string) error
}

// Metrics counts the adapter's Bot API calls: a message or document accepted, a 429, a call made again (after a
// 429, a 5xx or a network error).
type Metrics = flows.SendMetrics

// Options configure an Adapter. Token and Engine are required; Locker too in polling mode.
type Options struct {
	// Token is the bot token from BotFather (TELEGRAM_BOT_TOKEN). It never appears in logs.
	Token string
	// APIURL is the Bot API server (TELEGRAM_API_URL). Empty: https://api.telegram.org. Tests point it at a fake.
	APIURL string
	// WebhookURL (TELEGRAM_WEBHOOK_URL) selects webhook mode: the public HTTPS URL Telegram posts updates to. Its
	// path is where the handler is mounted. Empty: long polling.
	WebhookURL string
	// WebhookSecret (TELEGRAM_WEBHOOK_SECRET) is sent by Telegram with every update; required with WebhookURL.
	WebhookSecret string

	Engine *flows.Engine
	Locker Locker
	// Owner names this process in the polling lease. Empty: a random id.
	Owner string
	// Logger; nil uses slog.Default(). Nothing logged contains message text, tokens or Telegram ids.
	Logger *slog.Logger
	// Limits of outbound sending; zero fields take Telegram's limits.
	Limits Limits
	// Rates shares the outbound schedule between replicas (bot/redis.Rates through cmd/mentorbot). Nil: this
	// process paces only itself, which is right for one replica.
	Rates RateStore
	// HTTPClient for Bot API calls. Nil: a client that keeps 64 idle connections (each call sets its own timeout).
	HTTPClient *http.Client
	// PollTimeout is how long one getUpdates waits for updates. Default 25 s.
	PollTimeout time.Duration
	// LockTTL is the polling lease's lifetime; it is renewed every third of it. Default 30 s.
	LockTTL time.Duration
	// PollUnready is how long getUpdates may fail in a row before the polling replica reports itself not ready.
	// Default 30 s.
	PollUnready time.Duration
	// QueueSize bounds the replies waiting to be sent; intake waits when it is full. Default 10,000.
	QueueSize int
	// Metrics is told about sends, 429s and retries. Nil counts nothing.
	Metrics Metrics
}

// Adapter connects the engine to Telegram. It is a flows.Sender and, in webhook mode, an http.Handler.
type Adapter struct {
	o     Options
	api   *bot.Bot
	eng   *flows.Engine
	log   *slog.Logger
	http  *http.Client
	pacer *pacer
	out   *outbox
	sorry sorrySet
	m     Metrics

	// work is the context of update handling and sending: it outlives the serve context so that in-flight work
	// finishes at shutdown, and is cancelled when the shutdown timeout runs out.
	work       context.Context
	cancelWork context.CancelFunc

	mu      sync.Mutex
	started bool
	running atomic.Bool // Start succeeded
	// pollFailing is when getUpdates started failing without a success since (Unix ns; 0: it works, or this
	// replica does not poll).
	pollFailing atomic.Int64
	bg          sync.WaitGroup // poller and start-up jobs
	stopBg      context.CancelFunc
}

var (
	_ flows.Sender = (*Adapter)(nil)
	_ http.Handler = (*Adapter)(nil)
)

// DefaultWebhookPath is where the webhook handler is mounted when TELEGRAM_WEBHOOK_URL has no path.
const DefaultWebhookPath = "/telegram/webhook"

// New builds an adapter. It does not contact Telegram; Start does.
func New(o Options) (*Adapter, error) {
	if strings.TrimSpace(o.Token) == "" {
		return nil, errors.New("telegram: no bot token")
	}
	if o.Engine == nil {
		return nil, errors.New("telegram: no engine")
	}
	if o.WebhookURL != "" {
		u, err := url.Parse(o.WebhookURL)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return nil, fmt.Errorf("telegram: TELEGRAM_WEBHOOK_URL must be an absolute https URL")
		}
		if o.WebhookSecret == "" {
			return nil, errors.New("telegram: TELEGRAM_WEBHOOK_SECRET must be set in webhook mode")
		}
		if !validSecret(o.WebhookSecret) {
			return nil, errors.New("telegram: TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
		}
	} else if o.Locker == nil {
		return nil, errors.New("telegram: polling needs a lock")
	}
	if o.APIURL == "" {
		o.APIURL = "https://api.telegram.org"
	}
	o.APIURL = strings.TrimRight(o.APIURL, "/")
	if o.Owner == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		o.Owner = hex.EncodeToString(b[:])
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = 25 * time.Second
	}
	if o.LockTTL <= 0 {
		o.LockTTL = 30 * time.Second
	}
	if o.PollUnready <= 0 {
		o.PollUnready = 30 * time.Second
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 10000
	}
	if o.Metrics == nil {
		o.Metrics = flows.NoSendMetrics{}
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = newHTTPClient()
	}
	a := &Adapter{o: o, eng: o.Engine, log: log.With("platform", "telegram"), http: hc, m: o.Metrics,
		pacer: newPacer(o.Limits, o.Rates, log.With("platform", "telegram"))}
	api, err := bot.New(o.Token,
		bot.WithServerURL(o.APIURL),
		bot.WithHTTPClient(o.PollTimeout, wholeBody{hc}),
		bot.WithSkipGetMe(),
		// The library's own logging would print request payloads; errors reach us as return values instead.
		bot.WithErrorsHandler(func(error) {}),
	)
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", err)
	}
	a.api = api
	a.work, a.cancelWork = context.WithCancel(context.Background())
	a.out = newOutbox(a.work, o.QueueSize, a.deliver)
	return a, nil
}

// Pending is the number of reply jobs queued or being sent (the outbox), for the queue-depth gauge.
func (a *Adapter) Pending() int { return a.out.pending() }

// validSecret reports whether s is a secret_token Telegram accepts.
func validSecret(s string) bool {
	if len(s) == 0 || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// Webhook reports whether the adapter runs in webhook mode.
func (a *Adapter) Webhook() bool { return a.o.WebhookURL != "" }

// WebhookPath is the path to mount the adapter's handler on.
func (a *Adapter) WebhookPath() string {
	u, err := url.Parse(a.o.WebhookURL)
	if err != nil || u.Path == "" || u.Path == "/" {
		return DefaultWebhookPath
	}
	return u.Path
}

// Start checks the token, registers the webhook (webhook mode) or starts the poller (polling mode), and sets the
// bot's commands and description in the background.
func (a *Adapter) Start(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.started {
		return errors.New("telegram: started twice")
	}
	a.started = true
	if _, err := a.api.GetMe(ctx); err != nil {
		if errors.Is(err, bot.ErrorUnauthorized) || errors.Is(err, bot.ErrorNotFound) {
			return errors.New("telegram: the Bot API rejected TELEGRAM_BOT_TOKEN")
		}
		// Telegram being unreachable at start-up is not fatal: sending retries, polling keeps trying.
		a.log.Warn("telegram getMe failed; continuing", "err", err)
	}
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.stopBg = cancel
	if a.Webhook() {
		if err := a.setWebhook(ctx); err != nil {
			cancel()
			return err
		}
		a.log.Info("telegram webhook set", "path", a.WebhookPath())
	} else {
		p := &poller{a: a}
		a.bg.Add(1)
		go func() {
			defer a.bg.Done()
			p.run(bg)
		}()
	}
	a.bg.Add(1)
	go func() {
		defer a.bg.Done()
		a.setProfile(bg)
	}()
	a.running.Store(true)
	return nil
}

// Ready reports whether the adapter is connected: started, with the webhook registered in webhook mode (Start
// fails otherwise); in polling mode, unless this replica polls and Telegram has refused or not answered its
// getUpdates for PollUnready (a revoked token, a webhook set elsewhere, no network): then no update comes in. A
// Telegram slow to take replies does not make it unready: no other replica could do better.
func (a *Adapter) Ready(context.Context) error {
	if !a.running.Load() {
		return errors.New("telegram adapter not started")
	}
	if since := a.pollFailing.Load(); since != 0 && time.Since(time.Unix(0, since)) > a.o.PollUnready {
		return fmt.Errorf("telegram getUpdates failing for %v", time.Since(time.Unix(0, since)).Round(time.Second))
	}
	return nil
}

// Stop stops polling (finishing the batch in hand) and sends what is queued, within ctx. In webhook mode the HTTP
// server stops first (serve's order), so no update is in flight here.
func (a *Adapter) Stop(ctx context.Context) error {
	a.mu.Lock()
	cancel := a.stopBg
	a.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	if done, err := serial.Wait(ctx, a.bg.Wait); err != nil {
		a.cancelWork() // out of time: interrupt the work in hand, and still wait for it to end
		<-done
	}
	err := a.out.close(ctx)
	a.cancelWork()
	if err != nil {
		return fmt.Errorf("telegram: %d replies not sent at shutdown: %w", a.out.pending(), err)
	}
	return nil
}
