package redis

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Locks are named leases in Redis: one owner at a time (SET NX PX), kept alive by the owner (Renew) and released
// only by the owner. The compare-and-act scripts matter: an owner that stalled past its TTL must not extend or
// delete the lock a successor took in the meantime. The Telegram poller and the cron jobs of bot/nudge use them.
type Locks struct{ c Client }

// NewLocks returns locks on c.
func NewLocks(c Client) *Locks { return &Locks{c: c} }

// renewScript extends a lock if owner still holds it.
//
// KEYS[1] lock key; ARGV[1] owner; ARGV[2] TTL in ms. Returns 1 when extended, 0 when owner lost it.
var renewScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`)

// releaseScript deletes a lock if owner still holds it.
//
// KEYS[1] lock key; ARGV[1] owner. Returns 1 when deleted, 0 when someone else holds it (or nobody).
var releaseScript = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// Acquire takes lock name for owner for ttl. It reports false when another owner holds it (or owner itself holds
// it already: use Renew to keep a lock).
func (l *Locks) Acquire(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	ok, err := l.c.SetNX(ctx, keyLock(name), owner, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("acquire lock %s: %w", name, err)
	}
	return ok, nil
}

// Renew extends owner's lock to ttl from now. It reports false when owner no longer holds the lock.
func (l *Locks) Renew(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	n, err := renewScript.Run(ctx, l.c, []string{keyLock(name)}, owner, ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("renew lock %s: %w", name, err)
	}
	return n == 1, nil
}

// Release gives up owner's lock. Releasing a lock owner does not hold is not an error and changes nothing.
func (l *Locks) Release(ctx context.Context, name, owner string) error {
	if err := releaseScript.Run(ctx, l.c, []string{keyLock(name)}, owner).Err(); err != nil {
		return fmt.Errorf("release lock %s: %w", name, err)
	}
	return nil
}
