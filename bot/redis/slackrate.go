package redis

import (
	"context"
	"sync"
	"time"
)

// SlackRates is the Slack adapter's schedule shared by every replica. Slack limits each Web API method per app and
// workspace (and chat.postMessage per channel too), and a rate-limited answer is about that method only, so each
// bucket the adapter names (a method, or "messages" for everything that posts) is a schedule of its own (Rates):
// its own GCRA buckets, per channel where the adapter asks, and its own pause. A pause of the posts does not hold
// chat.update or users.info. One round trip books one call.
type SlackRates struct {
	c    Client
	name string

	mu    sync.Mutex
	rates map[string]*Rates
}

// NewSlackRates returns the shared Slack schedule called name (one per workspace, e.g. from the bot token) on c.
func NewSlackRates(c Client, name string) *SlackRates {
	return &SlackRates{c: c, name: name, rates: map[string]*Rates{}}
}

func (s *SlackRates) bucket(name string) *Rates {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rates[name]
	if r == nil {
		r = NewRates(s.c, "slack:"+s.name+":"+name)
		s.rates[name] = r
	}
	return r
}

// Reserve books one call of bucket against overall and, when channel is set, against the channel's perChannel
// rate, after any pause of the bucket, and returns how long to wait before it.
func (s *SlackRates) Reserve(ctx context.Context, bucket string, overall Rate, channel string, perChannel Rate) (time.Duration, error) {
	plan := "l"
	if channel != "" {
		plan = "m"
	}
	w, err := s.bucket(bucket).Reserve(ctx, overall, channel, perChannel, plan)
	if err != nil {
		return 0, err
	}
	return w[0], nil
}

// Pause holds every replica's calls of bucket for d (Slack's Retry-After).
func (s *SlackRates) Pause(ctx context.Context, bucket string, d time.Duration) error {
	return s.bucket(bucket).Pause(ctx, d)
}
