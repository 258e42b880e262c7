package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/link"
)

var _ link.Store = (*Store)(nil)

// PutLinkCode stores a link code (a hash with the profile and expiry) for ttl.
func (s *Store) PutLinkCode(ctx context.Context, hash string, c link.Code, ttl time.Duration) error {
	key := keyLinkCode(hash)
	_, err := s.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.HSet(ctx, key, "profile", c.Profile, "expires", c.Expires.UTC().Format(time.RFC3339Nano))
		p.PExpire(ctx, key, ttl)
		return nil
	})
	if err != nil {
		return fmt.Errorf("put link code: %w", err)
	}
	return nil
}

// LinkCode reads a link code.
func (s *Store) LinkCode(ctx context.Context, hash string) (link.Code, bool, error) {
	m, err := s.c.HGetAll(ctx, keyLinkCode(hash)).Result()
	if err != nil {
		return link.Code{}, false, fmt.Errorf("read link code: %w", err)
	}
	if m["profile"] == "" {
		return link.Code{}, false, nil
	}
	exp, err := time.Parse(time.RFC3339Nano, m["expires"])
	if err != nil {
		return link.Code{}, false, fmt.Errorf("decode link code: %w", err)
	}
	return link.Code{Profile: m["profile"], Expires: exp, ClaimedBy: m["claimed_by"]}, true, nil
}

// claimScript marks a link code used, once.
//
// KEYS[1] link code; ARGV[1] claimant profile id.
// Returns 1 when the code existed unclaimed and is now claimed, 0 otherwise (HSETNX alone would create a key).
var claimScript = goredis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'claimed_by', ARGV[1])
`)

// ClaimLinkCode marks a code claimed by claimant, atomically, so it works once.
func (s *Store) ClaimLinkCode(ctx context.Context, hash, claimant string) (bool, error) {
	n, err := claimScript.Run(ctx, s.c, []string{keyLinkCode(hash)}, claimant).Int()
	if err != nil {
		return false, fmt.Errorf("claim link code: %w", err)
	}
	return n == 1, nil
}

// retireScript turns a merged profile into a link: its document keeps only the handled event ids and names the
// profile it now links to. The revision moves on, so that an update loaded before the merge fails its save
// instead of writing the profile back. The previous layout's keys of the profile go too. Pending replies stay in
// the outbox: they are still owed to the person, on the same account.
//
// KEYS[1] document, KEYS[2..5] previous layout's rev, profile, conv, link (all in the retired profile's slot)
// ARGV[1] the profile it now links to.
var retireScript = goredis.NewScript(`
local old = redis.call('GET', KEYS[1])
local rev, seen = tonumber(redis.call('GET', KEYS[2]) or '0'), ''
if old then
  rev = tonumber(string.match(old, '^%a(%d+)'))
  seen = string.match(old, '^[^\n]*\n[^\n]*\n([^\n]*)') or ''
end
redis.call('SET', KEYS[1], 'A' .. (rev + 1) .. '\n\n' .. seen .. '\n' .. ARGV[1] .. '\n\n')
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
return 1
`)

// relinkScript points an older link (an id merged into the retired profile before) at the profile it was merged
// into now. Anything that is not a link is left alone.
//
// KEYS[1] document, KEYS[2] previous layout's link; ARGV[1] the profile to link to.
var relinkScript = goredis.NewScript(`
local old = redis.call('GET', KEYS[1])
if old then
  local head, facts, seen, link, rest = string.match(old, '^([^\n]*)\n([^\n]*)\n([^\n]*)\n([^\n]*)\n(.*)$')
  if link and link ~= '' then
    redis.call('SET', KEYS[1], head .. '\n' .. facts .. '\n' .. seen .. '\n' .. ARGV[1] .. '\n' .. rest)
  end
  return 1
end
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('SET', KEYS[2], ARGV[1]) end
return 1
`)

// MergeProfiles folds profile from into profile into (see link.Store): into is updated with an optimistic revision
// check and retried on conflict; then from is retired in one script in its own slot, it leaves the global indexes,
// and links that pointed at from point at into. A failure between the two steps leaves both profiles whole and
// into already merged; linking again is safe because merging is idempotent.
func (s *Store) MergeProfiles(ctx context.Context, from *flows.Profile, into string, merge func(*flows.Profile)) error {
	merged := false
	for range 8 {
		snap, err := s.Load(ctx, into, "")
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		if snap.LinkedTo != "" && snap.LinkedTo != into {
			into = snap.LinkedTo
			continue
		}
		if snap.Profile == nil {
			return link.ErrGone
		}
		merge(snap.Profile)
		err = s.Save(ctx, into, snap, "", nil)
		if errors.Is(err, flows.ErrConflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		merged = true
		break
	}
	if !merged {
		return fmt.Errorf("merge: %w", flows.ErrConflict)
	}
	pid := from.ID
	keys := []string{keyUser(pid), keyOldRev(pid), keyOldProfile(pid), keyOldConv(pid), keyOldLink(pid)}
	if err := runScript(ctx, s.c, retireScript, keys, into).Err(); err != nil {
		return fmt.Errorf("retire merged profile: %w", err)
	}
	if err := s.Unindex(ctx, pid); err != nil {
		return fmt.Errorf("retire merged profile: %w", err)
	}
	for _, id := range from.Identities {
		if old := flows.ProfileID(id); old != pid {
			if err := runScript(ctx, s.c, relinkScript, []string{keyUser(old), keyOldLink(old)}, into).Err(); err != nil {
				return fmt.Errorf("retire merged profile: %w", err)
			}
		}
	}
	return nil
}

// Unindex removes pid from the global indexes. The link flow calls it once the merge is complete, in case an
// update of the merged profile was saved meanwhile.
func (s *Store) Unindex(ctx context.Context, pid string) error {
	pipe := s.c.Pipeline()
	unindex(ctx, pipe, pid)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("unindex: %w", err)
	}
	return nil
}

func unindex(ctx context.Context, pipe goredis.Pipeliner, pid string) {
	pipe.SRem(ctx, keyUsers(), pid)
	for _, r := range indexedRoles {
		pipe.SRem(ctx, keyRole(string(r)), pid)
	}
	pipe.ZRem(ctx, keyDeadlines(), pid)
}

// Unlink removes everything left of the retired profiles pids (their links, with the handled event ids and any
// pending replies), on /forget of the profile they link to.
func (s *Store) Unlink(ctx context.Context, pids ...string) error {
	pipe := s.c.Pipeline()
	for _, pid := range pids {
		pipe.Del(ctx, keyUser(pid), keyOutbox(pid), keyOldLink(pid), keyOldRev(pid))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("unlink: %w", err)
	}
	return nil
}

// scan lists the keys matching pattern, on every master of a Cluster (one user's keys share one slot).
func (s *Store) scan(ctx context.Context, pattern string) ([]string, error) {
	var keys []string
	each := func(ctx context.Context, c *goredis.Client) error {
		iter := c.Scan(ctx, 0, pattern, 500).Iterator()
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		return iter.Err()
	}
	switch c := s.c.(type) {
	case *goredis.ClusterClient:
		if err := c.ForEachMaster(ctx, each); err != nil {
			return nil, err
		}
	case *goredis.Client:
		if err := each(ctx, c); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("scan: unsupported client %T", s.c)
	}
	return keys, nil
}
