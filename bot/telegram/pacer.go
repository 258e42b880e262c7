package telegram

import (
	"context"
	"sync"
	"time"
)

// Limits are the outbound ceilings of one process. Zero fields take Telegram's documented limits.
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

// pacer spaces outbound calls so that the process stays under Telegram's limits, and pauses every call after a
// 429 for the retry_after the API asked for. One pacer serves the whole process: the limits are per bot token.
//
// Each bucket is a virtual schedule (GCRA): tat is the time the next message would be due if sent at the full
// rate; a message may go burst-1 intervals before it. Reserving moves tat on, so concurrent callers queue up.
type pacer struct {
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	mu       sync.Mutex
	global   bucket
	chats    map[int64]*bucket
	limits   Limits
	paused   time.Time // no call before this
	reserved int       // reservations since the last sweep of idle chats
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

func newPacer(l Limits) *pacer {
	l = l.withDefaults()
	return &pacer{
		now:    time.Now,
		sleep:  sleepCtx,
		limits: l,
		// A small global burst: a few chats answered at once go out together, a broadcast is spread evenly.
		global: bucket{interval: perSecond(l.PerSecond), burst: globalBurst},
		chats:  map[int64]*bucket{},
	}
}

// globalBurst is how many messages may leave at once across all chats.
const globalBurst = 5

func perSecond(r float64) time.Duration { return time.Duration(float64(time.Second) / r) }

// chatBucket returns the bucket of chat; group chats (negative ids) get the group limit.
func (p *pacer) chatBucket(chat int64) *bucket {
	b := p.chats[chat]
	if b == nil {
		if chat < 0 {
			b = &bucket{interval: perSecond(p.limits.GroupPerMinute / 60), burst: p.limits.ChatBurst}
		} else {
			b = &bucket{interval: perSecond(p.limits.ChatPerSecond), burst: p.limits.ChatBurst}
		}
		p.chats[chat] = b
	}
	return b
}

// wait blocks until a call may go. message tells whether the call sends a message to chat (counted against the
// chat's and the global rate) or is a light call (answering a callback, editing a keyboard) that only honours
// a 429 pause and the global rate.
func (p *pacer) wait(ctx context.Context, chat int64, message bool) error {
	p.mu.Lock()
	now := p.now()
	at := p.global.reserve(now)
	if message && chat != 0 {
		if c := p.chatBucket(chat).reserve(now); c.After(at) {
			at = c
		}
	}
	p.sweep(now)
	p.mu.Unlock()
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

// pause stops every call for d (a 429's retry_after).
func (p *pacer) pause(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := p.now().Add(d); until.After(p.paused) {
		p.paused = until
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
