package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Rates is an outbound schedule shared by every replica: the platforms' rate limits are per bot, not per process,
// so three replicas pacing themselves at Telegram's 30 messages a second would send 90. Each limit is a GCRA
// bucket (a virtual schedule: the time the next call would be due at the full rate, with a burst allowance)
// kept in Redis, and a pause time that a 429 sets for every replica. The time comes from the Redis server (TIME),
// so replicas whose clocks disagree still agree on the schedule. One round trip books every call of one job.
type Rates struct {
	c    Client
	name string
}

// Rate is one limit: a call every Every, with up to Burst calls at once.
type Rate struct {
	Every time.Duration
	Burst int
}

// NewRates returns the shared schedule called name (one per bot) on c.
func NewRates(c Client, name string) *Rates { return &Rates{c: c, name: name} }

// reserveScript books calls in order against the overall bucket and, for message calls, the chat's bucket, after
// any pause. A call may go at max(previous call, pause, tat - (burst-1)*every) of each bucket it counts against;
// booking moves that bucket's tat to max(tat, at) + every. Times are microseconds (exact in Lua's doubles) and
// stored with %.0f, because Lua would print them in exponent form.
//
// KEYS[1] pause, KEYS[2] overall bucket, KEYS[3] chat bucket (optional).
// ARGV[1] overall every (µs), ARGV[2] overall burst, ARGV[3] chat every (µs), ARGV[4] chat burst,
// ARGV[5] the plan: one letter per call, "m" a message (both buckets), "l" a light call (overall only).
// Returns each call's wait from now, in µs.
var reserveScript = goredis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local prev = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local gi, gb = tonumber(ARGV[1]), tonumber(ARGV[2])
local ci, cb = tonumber(ARGV[3]), tonumber(ARGV[4])
local chat = #KEYS > 2
local gtat = math.max(now, tonumber(redis.call('GET', KEYS[2]) or '0'))
local ctat = now
if chat then ctat = math.max(now, tonumber(redis.call('GET', KEYS[3]) or '0')) end
local plan = ARGV[5]
local out = {}
for i = 1, #plan do
  local msg = chat and string.sub(plan, i, i) == 'm'
  local at = math.max(prev, gtat - (gb - 1) * gi)
  if msg then at = math.max(at, ctat - (cb - 1) * ci) end
  gtat = math.max(gtat, at) + gi
  if msg then ctat = math.max(ctat, at) + ci end
  out[i] = at - now
  prev = at
end
redis.call('SET', KEYS[2], string.format('%.0f', gtat), 'PX', math.ceil((gtat - now) / 1000) + 1000)
if chat then redis.call('SET', KEYS[3], string.format('%.0f', ctat), 'PX', math.ceil((ctat - now) / 1000) + 1000) end
return out
`)

// pauseScript moves the pause time to now + ARGV[1] µs unless it is already later.
//
// KEYS[1] pause; ARGV[1] pause length in µs. Returns 1 when moved.
var pauseScript = goredis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local untilT = now + tonumber(ARGV[1])
if untilT <= tonumber(redis.call('GET', KEYS[1]) or '0') then return 0 end
redis.call('SET', KEYS[1], string.format('%.0f', untilT), 'PX', math.ceil(tonumber(ARGV[1]) / 1000) + 1000)
return 1
`)

// Reserve books the calls of plan ("m" a message to chat, "l" a light call counted overall only), in order, and
// returns how long to wait before each. chat "" counts every call overall only.
func (r *Rates) Reserve(ctx context.Context, overall Rate, chat string, perChat Rate, plan string) ([]time.Duration, error) {
	keys := []string{keyRatePause(r.name), keyRate(r.name, "all")}
	if chat != "" {
		keys = append(keys, keyRate(r.name, "chat:"+chat))
	}
	res, err := reserveScript.Run(ctx, r.c, keys,
		overall.Every.Microseconds(), max(overall.Burst, 1), perChat.Every.Microseconds(), max(perChat.Burst, 1), plan).Int64Slice()
	if err != nil {
		return nil, fmt.Errorf("reserve send slots: %w", err)
	}
	out := make([]time.Duration, len(res))
	for i, us := range res {
		out[i] = time.Duration(us) * time.Microsecond
	}
	return out, nil
}

// Pause holds every replica's calls for d (a 429's retry_after).
func (r *Rates) Pause(ctx context.Context, d time.Duration) error {
	if err := pauseScript.Run(ctx, r.c, []string{keyRatePause(r.name)}, strconv.FormatInt(d.Microseconds(), 10)).Err(); err != nil {
		return fmt.Errorf("pause sends: %w", err)
	}
	return nil
}
