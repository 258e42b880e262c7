package telegram

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Limits are the outbound ceilings of the bot (of every replica together when the pacer has a RateStore). Zero
// fields take Telegram's documented limits. The pacer stays 2% under each (see headroom).
type Limits struct {
	// PerSecond is the overall message rate. Default 30 (Telegram's bulk limit).
	PerSecond float64
	// ChatPerSecond is the rate in one private chat. Default 1, with ChatBurst messages allowed at once.
	ChatPerSecond float64
	// ChatBurst is how many messages a private chat may get at once (a reply that is two messages and a
	// keyboard removal should not wait). Default 3.
	ChatBurst int
	// GroupPerMinute is the rate in one group chat. Default 20.
	GroupPerMinute float64
	// Attempts is how often one API call is tried on 5xx and network errors. Default 5.
	Attempts int
	// Backoff is the first retry's delay ceiling; it doubles per attempt (full jitter), up to 30 s. Default 200 ms.
	Backoff time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.PerSecond <= 0 {
		l.PerSecond = 30
	}
	if l.ChatPerSecond <= 0 {
		l.ChatPerSecond = 1
	}
	if l.ChatBurst <= 0 {
		l.ChatBurst = 3
	}
	if l.GroupPerMinute <= 0 {
		l.GroupPerMinute = 20
	}
	if l.Attempts <= 0 {
		l.Attempts = 5
	}
	if l.Backoff <= 0 {
		l.Backoff = 200 * time.Millisecond
	}
	return l
}

// headroom is how far under each ceiling the pacer stays. Telegram counts arrivals and we schedule departures:
// a schedule at exactly the ceiling tips over it whenever a few ms of jitter bunch two messages together.
// 2% leaves about 20 ms of slack per second of schedule and keeps 98% of the rate.
const headroom = 0.98

// Rate is one shared limit: a call every Every, up to Burst at once.
type Rate struct {
	Every time.Duration
	Burst int
}

// RateStore keeps the outbound schedule where every replica of the bot sees it, because Telegram's limits are per
// bot token, not per process (cmd/mentorbot wires bot/redis.Rates). Without one, each process paces only itself.
type RateStore interface {
	// Reserve books calls to chat in order — plan has one letter per call, "m" a message (counted against the
	// chat and overall), "l" a light call (overall only) — and returns the wait before each.
	Reserve(ctx context.Context, chat int64, plan string, overall, perChat Rate) ([]time.Duration, error)
	// Pause holds every replica's calls for d (a 429's retry_after).
	Pause(ctx context.Context, d time.Duration) error
}

// sharedTimeout bounds one booking in the shared schedule; sharedBackoff is how long the pacer keeps to its own
// schedule after the shared one failed (Redis down), so that every message does not wait for a dead server.
const (
	sharedTimeout = 500 * time.Millisecond
	sharedBackoff = 5 * time.Second
)

// pacer spaces outbound calls so that the bot stays under Telegram's limits, and pauses every call after a 429
// for the retry_after the API asked for. One pacer serves the whole process; with a RateStore the schedule is
// shared by every replica, and the process's own schedule is the fallback while the store is unreachable.
//
// Each bucket is a virtual schedule (GCRA): tat is the time the next message would be due if sent at the full
// rate; a message may go burst-1 intervals before it. Reserving moves tat on, so concurrent callers queue up.
type pacer struct {
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error
	shared RateStore
	log    *slog.Logger

	mu         sync.Mutex
	global     bucket
	chats      map[int64]*bucket
	limits     Limits
	paused     time.Time // no call before this
	reserved   int       // reservations since the last sweep of idle chats
	sharedDown time.Time // the shared schedule failed; use our own until sharedBackoff after this
}

type bucket struct {
	tat      time.Time
	interval time.Duration
	burst    int
}

// reserve returns when the next message through b may go, and books it.
func (b *bucket) reserve(now time.Time) time.Time {
	tolerance := time.Duration(b.burst-1) * b.interval
	at := b.tat.Add(-tolerance)
	if at.Before(now) {
		at = now
	}
	if b.tat.Before(now) {
		b.tat = now
	}
	b.tat = b.tat.Add(b.interval)
	return at
}

func newPacer(l Limits, shared RateStore, log *slog.Logger) *pacer {
	l = l.withDefaults()
	if log == nil {
		log = slog.Default()
	}
	return &pacer{
		now:    time.Now,
		sleep:  sleepCtx,
		shared: shared,
		log:    log,
		limits: l,
		global: bucket{interval: perSecond(l.PerSecond), burst: globalBurst},
		chats:  map[int64]*bucket{},
	}
}

// globalBurst is how many calls may leave at once across all chats: none ahead of the even schedule. A burst
// would let the overall rate exceed the ceiling within a second, which Telegram answers with 429; a reply of two
// messages is held by its chat's limit anyway.
const globalBurst = 1

// perSecond is the interval of a rate, with the headroom.
func perSecond(r float64) time.Duration { return time.Duration(float64(time.Second) / (r * headroom)) }

// chatRate is the limit of one chat; group chats (negative ids) get the group limit.
func (p *pacer) chatRate(chat int64) Rate {
	if chat < 0 {
		return Rate{Every: perSecond(p.limits.GroupPerMinute / 60), Burst: p.limits.ChatBurst}
	}
	return Rate{Every: perSecond(p.limits.ChatPerSecond), Burst: p.limits.ChatBurst}
}

// chatBucket returns the local bucket of chat.
func (p *pacer) chatBucket(chat int64) *bucket {
	b := p.chats[chat]
	if b == nil {
		r := p.chatRate(chat)
		b = &bucket{interval: r.Every, burst: r.Burst}
		p.chats[chat] = b
	}
	return b
}

// book reserves the calls of plan to chat ("m" a message, counted against the chat's and the overall rate; "l"
// a light call — answering a callback, editing a keyboard — counted overall only) and returns when each may go,
// in order. It books in the shared schedule when there is one and it answers, else in the process's own.
func (p *pacer) book(ctx context.Context, chat int64, plan string) []time.Time {
	if at := p.bookShared(ctx, chat, plan); at != nil {
		return at
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	out := make([]time.Time, len(plan))
	prev := now
	for i := range len(plan) {
		at := p.global.reserve(now)
		if plan[i] == 'm' && chat != 0 {
			if c := p.chatBucket(chat).reserve(now); c.After(at) {
				at = c
			}
		}
		if at.Before(prev) {
			at = prev
		}
		out[i], prev = at, at
	}
	p.sweep(now)
	return out
}

// bookShared books plan in the shared schedule; nil when there is none or it failed (then it is left alone for
// sharedBackoff).
func (p *pacer) bookShared(ctx context.Context, chat int64, plan string) []time.Time {
	if p.shared == nil {
		return nil
	}
	p.mu.Lock()
	down := !p.sharedDown.IsZero() && p.now().Sub(p.sharedDown) < sharedBackoff
	p.mu.Unlock()
	if down {
		return nil
	}
	sctx, cancel := context.WithTimeout(ctx, sharedTimeout)
	waits, err := p.shared.Reserve(sctx, chat, plan, Rate{Every: p.global.interval, Burst: globalBurst}, p.chatRate(chat))
	cancel()
	now := p.now()
	if err != nil || len(waits) != len(plan) {
		p.mu.Lock()
		p.sharedDown = now
		p.mu.Unlock()
		if ctx.Err() == nil {
			p.log.Warn("shared send schedule unavailable: pacing this replica alone for a while", "err", err)
		}
		return nil
	}
	out := make([]time.Time, len(waits))
	for i, w := range waits {
		out[i] = now.Add(w)
	}
	return out
}

// wait blocks until one call may go (see book).
func (p *pacer) wait(ctx context.Context, chat int64, message bool) error {
	plan := "l"
	if message {
		plan = "m"
	}
	return p.waitUntil(ctx, p.book(ctx, chat, plan)[0])
}

// waitUntil blocks until at, or later while a 429 pause lasts.
func (p *pacer) waitUntil(ctx context.Context, at time.Time) error {
	for {
		p.mu.Lock()
		if p.paused.After(at) {
			at = p.paused
		}
		d := at.Sub(p.now())
		p.mu.Unlock()
		if d <= 0 {
			return nil
		}
		if err := p.sleep(ctx, d); err != nil {
			return err
		}
	}
}

// pause stops every call for d (a 429's retry_after), on every replica when the schedule is shared.
func (p *pacer) pause(ctx context.Context, d time.Duration) {
	p.mu.Lock()
	if until := p.now().Add(d); until.After(p.paused) {
		p.paused = until
	}
	p.mu.Unlock()
	if p.shared != nil {
		sctx, cancel := context.WithTimeout(ctx, sharedTimeout)
		defer cancel()
		if err := p.shared.Pause(sctx, d); err != nil {
			p.log.Warn("shared pause not recorded", "err", err)
		}
	}
}

// sweep forgets chats whose bucket is full again, so memory follows the chats active in the last seconds.
func (p *pacer) sweep(now time.Time) {
	p.reserved++
	if p.reserved < 1024 {
		return
	}
	p.reserved = 0
	for id, b := range p.chats {
		if b.tat.Before(now) {
			delete(p.chats, id)
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
