package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/m4pris/mentorbot/flows"
)

// Store keeps profiles and conversations: one pipeline to load, one script (in the same pipeline as the idempotent
// index updates) to save.
type Store struct {
	c Client
	// SeenTTL is how long a handled event id is remembered. Zero means 72 h: longer than Telegram keeps
	// undelivered updates (24 h) and Slack retries (minutes), and than the queue retries a task.
	SeenTTL time.Duration
}

var (
	_ flows.Store     = (*Store)(nil)
	_ flows.Directory = (*Store)(nil)
	_ flows.Invites   = (*Store)(nil)
)

// NewStore returns a store on c.
func NewStore(c Client) *Store { return &Store{c: c} }

func (s *Store) seenTTL() time.Duration {
	if s.SeenTTL > 0 {
		return s.SeenTTL
	}
	return 72 * time.Hour
}

// Load reads a user's profile, conversation, revision, link and the event's seen-mark in one pipeline.
func (s *Store) Load(ctx context.Context, pid, eventID string) (flows.Snapshot, error) {
	var snap flows.Snapshot
	pipe := s.c.Pipeline()
	rev := pipe.Get(ctx, keyRev(pid))
	prof := pipe.Get(ctx, keyProfile(pid))
	conv := pipe.Get(ctx, keyConv(pid))
	link := pipe.Get(ctx, keyLink(pid))
	var seen *goredis.StringCmd
	if eventID != "" {
		seen = pipe.Get(ctx, keySeen(pid, eventID))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, goredis.Nil) {
		return snap, fmt.Errorf("load user: %w", err)
	}
	if v, err := rev.Int64(); err == nil {
		snap.Rev = v
	}
	if b, err := prof.Bytes(); err == nil {
		snap.Profile = new(flows.Profile)
		if err := json.Unmarshal(b, snap.Profile); err != nil {
			return snap, fmt.Errorf("decode profile: %w", err)
		}
	}
	if b, err := conv.Bytes(); err == nil {
		// A conversation this build cannot read is dropped, not fatal: the engine starts fresh.
		_ = json.Unmarshal(b, &snap.State)
	}
	snap.LinkedTo, _ = link.Result()
	if seen != nil {
		if v, err := seen.Result(); err == nil {
			snap.Seen = true
			if v != "1" {
				_ = json.Unmarshal([]byte(v), &snap.Pending)
			}
		}
	}
	return snap, nil
}

// saveScript writes one user's state if nobody else did since it was loaded.
//
// KEYS[1] rev, KEYS[2] profile, KEYS[3] conv, KEYS[4] seen-mark (all in the user's slot)
// ARGV[1] expected revision, ARGV[2] profile JSON, ARGV[3] conversation JSON ("" deletes it),
// ARGV[4] seen-mark value ("" sets none), ARGV[5] seen-mark TTL in ms
// Returns 1 when written, 0 on a revision conflict.
var saveScript = goredis.NewScript(`
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], cur + 1)
redis.call('SET', KEYS[2], ARGV[2])
if ARGV[3] == '' then redis.call('DEL', KEYS[3]) else redis.call('SET', KEYS[3], ARGV[3]) end
if ARGV[4] ~= '' then redis.call('SET', KEYS[4], ARGV[4], 'PX', ARGV[5]) end
return 1
`)

// roles that have an index set.
var indexedRoles = []flows.Role{flows.Guest, flows.Mentee, flows.Mentor, flows.Coordinator}

// Save writes the user's state atomically and updates the global indexes in the same round trip.
func (s *Store) Save(ctx context.Context, pid string, snap flows.Snapshot, eventID string, pending []flows.Reply) error {
	prof, err := json.Marshal(snap.Profile)
	if err != nil {
		return fmt.Errorf("encode profile: %w", err)
	}
	conv := ""
	if !snap.State.Idle() || snap.State.Seq != 0 {
		b, err := json.Marshal(snap.State)
		if err != nil {
			return fmt.Errorf("encode conversation: %w", err)
		}
		conv = string(b)
	}
	mark, seenKey := "", keySeen(pid, "-")
	if eventID != "" {
		mark, seenKey = "1", keySeen(pid, eventID)
		if len(pending) > 0 {
			b, err := json.Marshal(pending)
			if err != nil {
				return fmt.Errorf("encode pending: %w", err)
			}
			mark = string(b)
		}
	}
	keys := []string{keyRev(pid), keyProfile(pid), keyConv(pid), seenKey}
	args := []any{snap.Rev, prof, conv, mark, s.seenTTL().Milliseconds()}

	run := func(useEval bool) (*goredis.Cmd, error) {
		pipe := s.c.Pipeline()
		var res *goredis.Cmd
		if useEval {
			res = saveScript.Eval(ctx, pipe, keys, args...)
		} else {
			res = saveScript.EvalSha(ctx, pipe, keys, args...)
		}
		s.indexes(ctx, pipe, pid, snap)
		_, err := pipe.Exec(ctx)
		return res, err
	}
	res, err := run(false)
	if err != nil && isNoScript(res.Err()) {
		// The server lost its script cache (restart): send the script itself once.
		res, err = run(true)
	}
	if err != nil {
		return fmt.Errorf("save user: %w", err)
	}
	if n, _ := res.Int(); n != 1 {
		return flows.ErrConflict
	}
	return nil
}

func isNoScript(err error) bool { return err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") }

// indexes queues the idempotent updates of the global indexes that follow from the user's state.
func (s *Store) indexes(ctx context.Context, pipe goredis.Pipeliner, pid string, snap flows.Snapshot) {
	pipe.SAdd(ctx, keyUsers(), pid)
	for _, r := range indexedRoles {
		if snap.Profile.Has(r) {
			pipe.SAdd(ctx, keyRole(string(r)), pid)
		} else {
			pipe.SRem(ctx, keyRole(string(r)), pid)
		}
	}
	if d := snap.State.Deadline; !d.IsZero() {
		pipe.ZAdd(ctx, keyDeadlines(), goredis.Z{Score: float64(d.Unix()), Member: pid})
	} else {
		pipe.ZRem(ctx, keyDeadlines(), pid)
	}
}

// Ack marks the replies of a handled event as sent.
func (s *Store) Ack(ctx context.Context, pid, eventID string) error {
	if err := s.c.Set(ctx, keySeen(pid, eventID), "1", goredis.KeepTTL).Err(); err != nil {
		return fmt.Errorf("ack: %w", err)
	}
	return nil
}

// Erase deletes every key of the user and removes them from every index.
func (s *Store) Erase(ctx context.Context, pid string) error {
	var keys []string
	scan := func(ctx context.Context, c *goredis.Client) error {
		iter := c.Scan(ctx, 0, keyUserPattern(pid), 500).Iterator()
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		return iter.Err()
	}
	switch c := s.c.(type) {
	case *goredis.ClusterClient:
		// All of a user's keys share one slot, hence one master; scanning every master finds them.
		if err := c.ForEachMaster(ctx, scan); err != nil {
			return fmt.Errorf("erase scan: %w", err)
		}
	case *goredis.Client:
		if err := scan(ctx, c); err != nil {
			return fmt.Errorf("erase scan: %w", err)
		}
	default:
		return fmt.Errorf("erase: unsupported client %T", s.c)
	}
	pipe := s.c.Pipeline()
	for _, k := range keys {
		pipe.Unlink(ctx, k)
	}
	pipe.SRem(ctx, keyUsers(), pid)
	for _, r := range indexedRoles {
		pipe.SRem(ctx, keyRole(string(r)), pid)
	}
	pipe.ZRem(ctx, keyDeadlines(), pid)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("erase: %w", err)
	}
	return nil
}

// Profile reads another user's profile.
func (s *Store) Profile(ctx context.Context, pid string) (*flows.Profile, error) {
	b, err := s.c.Get(ctx, keyProfile(pid)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read profile: %w", err)
	}
	p := new(flows.Profile)
	if err := json.Unmarshal(b, p); err != nil {
		return nil, fmt.Errorf("decode profile: %w", err)
	}
	return p, nil
}

// WithRole lists the profiles holding role r.
func (s *Store) WithRole(ctx context.Context, r flows.Role) ([]string, error) {
	ids, err := s.c.SMembers(ctx, keyRole(string(r))).Result()
	if err != nil {
		return nil, fmt.Errorf("list role: %w", err)
	}
	return ids, nil
}

// Users lists every profile id (for planners).
func (s *Store) Users(ctx context.Context) ([]string, error) {
	ids, err := s.c.SMembers(ctx, keyUsers()).Result()
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return ids, nil
}

// DueDeadlines lists profiles whose conversation deadline is at or before t.
func (s *Store) DueDeadlines(ctx context.Context, t time.Time) ([]string, error) {
	ids, err := s.c.ZRangeByScore(ctx, keyDeadlines(), &goredis.ZRangeBy{Min: "-inf", Max: fmt.Sprint(t.Unix())}).Result()
	if err != nil {
		return nil, fmt.Errorf("due deadlines: %w", err)
	}
	return ids, nil
}

// PutInvite stores an invite by the hash of its code until it expires.
func (s *Store) PutInvite(ctx context.Context, hash string, inv flows.Invite) error {
	b, err := json.Marshal(inv)
	if err != nil {
		return fmt.Errorf("encode invite: %w", err)
	}
	if err := s.c.Set(ctx, keyInvite(hash), b, time.Until(inv.Expires)).Err(); err != nil {
		return fmt.Errorf("put invite: %w", err)
	}
	return nil
}

// TakeInvite removes and returns an invite in one atomic command, so a code is used once.
func (s *Store) TakeInvite(ctx context.Context, hash string) (flows.Invite, bool, error) {
	var inv flows.Invite
	b, err := s.c.GetDel(ctx, keyInvite(hash)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return inv, false, nil
	}
	if err != nil {
		return inv, false, fmt.Errorf("take invite: %w", err)
	}
	if err := json.Unmarshal(b, &inv); err != nil {
		return inv, false, fmt.Errorf("decode invite: %w", err)
	}
	return inv, true, nil
}
