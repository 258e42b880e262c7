package redis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// TickLocks are the per-tick locks of the periodic jobs (bot/nudge): every replica runs the same cron, and the one
// that takes a tick's lock runs the job for that tick. A lock holds a random owner token; only that owner may
// release or keep it, so a replica whose lock expired while it was slow cannot remove the lock a second replica
// took since.
type TickLocks struct{ c Client }

// NewTickLocks returns the tick locks on c.
func NewTickLocks(c Client) *TickLocks { return &TickLocks{c: c} }

// Acquire takes the lock of job's tick for owner for ttl (SET NX PX). ok is false when another owner holds it or
// the tick was already run.
func (l *TickLocks) Acquire(ctx context.Context, job string, tick time.Time, owner string, ttl time.Duration) (bool, error) {
	ok, err := l.c.SetNX(ctx, tickKey(job, tick), owner, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("acquire tick lock: %w", err)
	}
	return ok, nil
}

// releaseScript (lock.go) deletes the tick lock only if owner still holds it.

// keepScript keeps a finished tick's lock a while longer, only if owner still holds it, so a replica whose cron
// fires a little later for the same tick (clock skew) finds the tick done instead of running it again.
//
// KEYS[1] lock; ARGV[1] owner token, ARGV[2] how long the lock stays, in ms. Returns 1 when kept.
var keepScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`)

// Release removes the lock if owner holds it (after a failed run, so another replica's later firing may retry).
func (l *TickLocks) Release(ctx context.Context, job string, tick time.Time, owner string) error {
	if err := releaseScript.Run(ctx, l.c, []string{tickKey(job, tick)}, owner).Err(); err != nil {
		return fmt.Errorf("release tick lock: %w", err)
	}
	return nil
}

// Keep marks the tick done: the lock stays, still owned, for ttl. A duration rather than a time, because the
// scheduler's clock (simulated in tests) need not be the server's.
func (l *TickLocks) Keep(ctx context.Context, job string, tick time.Time, owner string, ttl time.Duration) error {
	if err := keepScript.Run(ctx, l.c, []string{tickKey(job, tick)}, owner, max(ttl, time.Millisecond).Milliseconds()).Err(); err != nil {
		return fmt.Errorf("keep tick lock: %w", err)
	}
	return nil
}

// Owner returns who holds job's tick lock ("" if nobody), for tests and diagnostics.
func (l *TickLocks) Owner(ctx context.Context, job string, tick time.Time) (string, error) {
	v, err := l.c.Get(ctx, tickKey(job, tick)).Result()
	if err == goredis.Nil {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("tick lock owner: %w", err)
	}
	return v, nil
}

func tickKey(job string, tick time.Time) string {
	return keyTickLock(job, strconv.FormatInt(tick.Unix(), 10))
}
