package slack

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Rate is one limit: a call every Every, up to Burst at once.
type Rate struct {
	Every time.Duration
	Burst int
}

func perMinute(n float64, burst int) Rate {
	return Rate{Every: time.Duration(float64(time.Minute) / n), Burst: burst}
}

// RateStore keeps the outbound schedule where every replica sees it: Slack's limits are per app and workspace,
// not per process (cmd/mentorbot wires bot/redis.SlackRates). Without one, each process paces only itself.
type RateStore interface {
	// Reserve books one call of bucket (a Web API method) against its rate overall and, when channel is set,
	// against the channel's rate, and returns how long to wait before making it.
	Reserve(ctx context.Context, bucket string, overall Rate, channel string, perChannel Rate) (time.Duration, error)
	// Pause holds every replica's calls of bucket for d (Slack's Retry-After).
	Pause(ctx context.Context, bucket string, d time.Duration) error
}

// bucket is how one kind of call is limited.
type bucket struct {
	// name is the bucket's name in the shared schedule: calls of one bucket share its rate and its pauses.
	name string
	rate Rate
	// channel: each call is a message in a conversation and counts against that conversation's rate too.
	channel bool
}

// The calls the adapter makes, named after Slack's methods.
const (
	methodPost       = "chat.postMessage"
	methodUpdate     = "chat.update"
	methodOpen       = "conversations.open"
	methodUserInfo   = "users.info"
	methodPublish    = "views.publish"
	methodUploadURL  = "files.getUploadURLExternal"
	methodUpload     = "files.upload" // the bytes, to the upload URL Slack gave
	methodComplete   = "files.completeUploadExternal"
	methodRespond    = "response_url" // replacing the message whose button was pressed
	methodRespondNew = "response_url.message"
)

// Slack's published limits are per method, per app and workspace (docs.slack.dev/apis/web-api/rate-limits):
// Tier 3 "50+ per minute, sporadic bursts welcome", Tier 4 "100+ per minute, generous bursts"; chat.postMessage
// has its own tier, "generally one message per second per channel" with short bursts, and "several hundred
// messages per minute" across the workspace. The bursts are our reading of "sporadic" and "generous".
//
// Everything that puts a new message in a conversation (a post, a shared file, an ephemeral answer through
// response_url) books in one "messages" bucket, so a channel's one-a-second counts all of them, and a
// rate-limited post holds them all. response_url has no published rate (each URL works five times in 30
// minutes); its bucket is a ceiling of our own, so a flood of button presses cannot become a flood of calls. The
// upload of a file's bytes goes to Slack's file host, not the Web API, and is not paced.
var (
	messages = bucket{name: "messages", rate: perMinute(300, 10), channel: true}
	buckets  = map[string]bucket{
		methodPost:       messages,
		methodComplete:   messages,
		methodRespondNew: messages,
		methodUpdate:     {name: methodUpdate, rate: perMinute(50, 5)},      // Tier 3
		methodOpen:       {name: methodOpen, rate: perMinute(50, 5)},        // Tier 3
		methodUserInfo:   {name: methodUserInfo, rate: perMinute(100, 10)},  // Tier 4
		methodPublish:    {name: methodPublish, rate: perMinute(100, 10)},   // Tier 4
		methodUploadURL:  {name: methodUploadURL, rate: perMinute(100, 10)}, // Tier 4
		methodRespond:    {name: methodRespond, rate: perMinute(600, 20)},
	}
)

// sharedTimeout bounds one booking in the shared schedule; sharedBackoff is how long the schedule keeps to this
// process's own buckets after the shared one failed (Redis down), so that every call does not wait for a dead
// server.
const (
	sharedTimeout = 500 * time.Millisecond
	sharedBackoff = 5 * time.Second
)

// schedule spaces the adapter's calls so that it stays under Slack's limits, and holds a method's calls after a
// rate-limited answer for the Retry-After Slack asked for. With a RateStore the schedule is shared by every
// replica, and this process's own buckets are the fallback while the store is unreachable.
type schedule struct {
	buckets    map[string]bucket
	perChannel Rate
	off        bool // no pacing at all (tests); pauses still hold
	shared     RateStore
	log        *slog.Logger
	now        func() time.Time
	sleep      func(ctx context.Context, d time.Duration) error

	mu         sync.Mutex
	tat        map[string]time.Time // GCRA: when the next call of a bucket (or bucket and channel) is due
	paused     map[string]time.Time // no call of the bucket before this
	booked     int                  // bookings since the last sweep of idle channels
	sharedDown time.Time
}

func newSchedule(perChannel Rate, off bool, shared RateStore, log *slog.Logger) *schedule {
	return &schedule{
		buckets: buckets, perChannel: perChannel, off: off, shared: shared, log: log, now: time.Now, sleep: sleep,
		tat: map[string]time.Time{}, paused: map[string]time.Time{},
	}
}

// wait blocks until a call of method (to channel, for calls that post in one) may go, and books it.
func (s *schedule) wait(ctx context.Context, method, channel string) error {
	b := s.buckets[method]
	if !b.channel {
		channel = ""
	}
	at := s.now()
	if !s.off && b.rate.Every > 0 {
		at = s.book(ctx, b.name, b.rate, channel)
	}
	for {
		s.mu.Lock()
		if p := s.paused[b.name]; b.name != "" && p.After(at) {
			at = p
		}
		d := at.Sub(s.now())
		s.mu.Unlock()
		if d <= 0 {
			return nil
		}
		if err := s.sleep(ctx, d); err != nil {
			return err
		}
	}
}

// book reserves the call in the shared schedule when there is one and it answers, else in this process's own.
func (s *schedule) book(ctx context.Context, name string, r Rate, channel string) time.Time {
	if at, ok := s.bookShared(ctx, name, r, channel); ok {
		return at
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	at := s.take(name, r, now)
	if channel != "" {
		if c := s.take(name+"\x00"+channel, s.perChannel, now); c.After(at) {
			at = c
		}
	}
	s.sweep(now)
	return at
}

// take books one call in the local GCRA bucket key: it may go burst-1 intervals before the bucket's due time.
func (s *schedule) take(key string, r Rate, now time.Time) time.Time {
	tat := s.tat[key]
	if tat.Before(now) {
		tat = now
	}
	at := tat.Add(-time.Duration(max(r.Burst, 1)-1) * r.Every)
	if at.Before(now) {
		at = now
	}
	s.tat[key] = tat.Add(r.Every)
	return at
}

// sweep forgets buckets that are full again, so memory follows the channels active in the last seconds.
func (s *schedule) sweep(now time.Time) {
	s.booked++
	if s.booked < 1024 {
		return
	}
	s.booked = 0
	for k, t := range s.tat {
		if t.Before(now) {
			delete(s.tat, k)
		}
	}
}

func (s *schedule) bookShared(ctx context.Context, name string, r Rate, channel string) (time.Time, bool) {
	if s.shared == nil {
		return time.Time{}, false
	}
	s.mu.Lock()
	down := !s.sharedDown.IsZero() && s.now().Sub(s.sharedDown) < sharedBackoff
	s.mu.Unlock()
	if down {
		return time.Time{}, false
	}
	sctx, cancel := context.WithTimeout(ctx, sharedTimeout)
	w, err := s.shared.Reserve(sctx, name, r, channel, s.perChannel)
	cancel()
	now := s.now()
	if err != nil {
		s.mu.Lock()
		s.sharedDown = now
		s.mu.Unlock()
		if ctx.Err() == nil {
			s.log.Warn("slack: shared send schedule unavailable, pacing this replica alone for a while", "err", err)
		}
		return time.Time{}, false
	}
	return now.Add(w), true
}

// pause holds every call of method's bucket for d, on every replica when the schedule is shared. Slack's limits
// are per method, so a rate-limited post holds the posts (and the other messages), not chat.update or users.info.
func (s *schedule) pause(ctx context.Context, method string, d time.Duration) {
	name := s.buckets[method].name
	if name == "" {
		return
	}
	s.mu.Lock()
	if until := s.now().Add(d); until.After(s.paused[name]) {
		s.paused[name] = until
	}
	s.mu.Unlock()
	if s.shared != nil {
		sctx, cancel := context.WithTimeout(ctx, sharedTimeout)
		defer cancel()
		if err := s.shared.Pause(sctx, name, d); err != nil {
			s.log.Warn("slack: shared pause not recorded", "err", err)
		}
	}
}
