package slack

import (
	"context"
	"errors"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/m4pris/mentorbot/flows"
)

// maxRateRetries is how often one call is tried again after Slack answered 429.
const maxRateRetries = 3

// pacer spaces messages to one channel by a minimum interval (chat.postMessage allows about one message a second
// per channel) and, after a 429, holds every call until Slack's Retry-After has passed. Calls without a channel
// (updates, views, response_url: limited per app, not per channel) are not spaced, only held.
type pacer struct {
	gap time.Duration

	mu    sync.Mutex
	next  map[string]time.Time // earliest time of the next call per channel
	pause time.Time            // no call before this, after a 429

	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	m     Metrics
}

func newPacer(gap time.Duration) *pacer {
	return &pacer{gap: gap, next: map[string]time.Time{}, now: time.Now, sleep: sleep, m: flows.NoSendMetrics{}}
}

// do runs call for channel when its turn comes, and again (up to maxRateRetries times) after a rate limit.
func (p *pacer) do(ctx context.Context, channel string, call func() error) error {
	for attempt := 0; ; attempt++ {
		if err := p.sleep(ctx, p.reserve(channel)); err != nil {
			return err
		}
		err := call()
		var rl *slackapi.RateLimitedError
		if !errors.As(err, &rl) {
			return err
		}
		p.m.RateLimited()
		if attempt >= maxRateRetries {
			return err
		}
		p.hold(max(rl.RetryAfter, time.Second))
		p.m.Retried()
	}
}

// reserve books the channel's next slot and returns how long to wait for it.
func (p *pacer) reserve(channel string) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	at := now
	if p.pause.After(at) {
		at = p.pause
	}
	if channel == "" {
		return at.Sub(now)
	}
	if n := p.next[channel]; n.After(at) {
		at = n
	}
	if len(p.next) > 10000 {
		// Forget channels whose slot has passed, so the map follows the channels active now.
		for ch, n := range p.next {
			if !n.After(now) {
				delete(p.next, ch)
			}
		}
	}
	p.next[channel] = at.Add(p.gap)
	return at.Sub(now)
}

// hold stops every call for d.
func (p *pacer) hold(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := p.now().Add(d); until.After(p.pause) {
		p.pause = until
	}
}
