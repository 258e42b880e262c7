package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/m4pris/mentorbot/flows"
)

// Store keeps profiles and conversations, one document a user (userdoc.go), and the replies on their way to
// users (outbox.go). An update costs one GET to load and one script to save; the global indexes are written only
// when what they hold for the user changed, and only after the script succeeded.
type Store struct {
	c Client
	// AckDelay is how long an acknowledgement of sent replies waits for others to share its round trip. Zero
	// means 20 ms: at 1,000 updates a second, 20 acknowledgements a round trip.
	AckDelay time.Duration
	// Log receives what the store does not return as an error (a failed index update). Nil: slog.Default().
	Log *slog.Logger
	// Sealer encrypts pending replies (they may show a check-in result). Nil: kept as they are (tests, and a
	// store without a data key, where no score is kept either).
	Sealer Sealer

	owner string // this instance's name in the outbox: the pending replies it is sending carry it
	acks  acker
	alive heartbeat
}

var (
	_ flows.Store     = (*Store)(nil)
	_ flows.Directory = (*Store)(nil)
	_ flows.Invites   = (*Store)(nil)
)

// NewStore returns a store on c.
func NewStore(c Client) *Store {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &Store{c: c, owner: hex.EncodeToString(b[:])}
}

func (s *Store) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Load reads a user's document: one GET. A user not yet moved to the document is read from the previous layout
// (migrate.go).
func (s *Store) Load(ctx context.Context, pid, eventID string) (flows.Snapshot, error) {
	b, err := s.c.Get(ctx, keyUser(pid)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return s.loadOld(ctx, pid, eventID)
	}
	if err != nil {
		return flows.Snapshot{}, fmt.Errorf("load user: %w", err)
	}
	d, err := decodeDoc(b)
	if err != nil {
		return flows.Snapshot{}, fmt.Errorf("load user: %w", err)
	}
	snap, err := d.snapshot(eventID)
	snap.Stored = b
	return snap, err
}

// snapshot is what the engine sees of d, for an update with eventID.
func (d *userDoc) snapshot(eventID string) (flows.Snapshot, error) {
	snap := flows.Snapshot{Rev: d.rev, LinkedTo: d.link, Seen: eventID != "" && d.hasSeen(eventID)}
	if len(d.profile) > 0 {
		snap.Profile = new(flows.Profile)
		if err := json.Unmarshal(d.profile, snap.Profile); err != nil {
			return snap, fmt.Errorf("decode profile: %w", err)
		}
	}
	if len(d.conv) > 0 {
		// A conversation this build cannot read is dropped, not fatal: the engine starts fresh.
		_ = json.Unmarshal(d.conv, &snap.State)
	}
	return snap, nil
}

// saveScript writes one user's document if nobody else did since it was loaded, and the event's pending replies.
// SET … GET writes and returns the old document in one command; on a revision conflict the old one is put back
// (within the script, so nobody sees the other). The first document of a user deletes the keys of the previous
// layout (migrate.go).
//
// KEYS[1] document, KEYS[2] outbox hash, KEYS[3..6] previous layout's rev, profile, conv, link (all in the user's
// slot)
// ARGV[1] expected revision, ARGV[2] new document, ARGV[3] event id, ARGV[4] pending replies ("" for none),
// ARGV[5] their state ("<parts sent> <owner>")
// Returns 1 when written, 0 on a revision conflict.
var saveScript = goredis.NewScript(`
local old = redis.call('SET', KEYS[1], ARGV[2], 'GET')
local rev = 0
if old then rev = tonumber(string.match(old, '^%a(%d+)')) end
if rev ~= tonumber(ARGV[1]) then
  if old then redis.call('SET', KEYS[1], old) else redis.call('DEL', KEYS[1]) end
  return 0
end
if not old then redis.call('DEL', KEYS[3], KEYS[4], KEYS[5], KEYS[6]) end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[2], ARGV[3], ARGV[4], ARGV[3] .. '#', ARGV[5]) end
return 1
`)

// roles that have an index set.
var indexedRoles = []flows.Role{flows.Guest, flows.Mentee, flows.Mentor, flows.Coordinator}

// Save writes the user's document and the event's pending replies atomically; then, only if what the global
// indexes hold for the user changed (or an earlier update of them failed), updates them.
func (s *Store) Save(ctx context.Context, pid string, snap flows.Snapshot, eventID string, out *flows.Outbound) error {
	var old userDoc
	if len(snap.Stored) > 0 {
		var err error
		if old, err = decodeDoc(snap.Stored); err != nil {
			return fmt.Errorf("save user: %w", err)
		}
	}
	d := userDoc{seen: old.seen, link: snap.LinkedTo, facts: indexFacts(snap.Profile, &snap.State, old.facts)}
	prof, err := json.Marshal(snap.Profile)
	if err != nil {
		return fmt.Errorf("encode profile: %w", err)
	}
	d.profile = prof
	if !snap.State.Idle() || snap.State.Seq != 0 {
		if d.conv, err = json.Marshal(snap.State); err != nil {
			return fmt.Errorf("encode conversation: %w", err)
		}
	}
	if eventID != "" {
		d.remember(eventID)
	}
	body, state := "", ""
	if out != nil && eventID != "" {
		if body, err = s.encodeBody(pid, eventID, out); err != nil {
			return err
		}
		if err := s.alive.ensure(ctx, s.c, s.owner); err != nil {
			return fmt.Errorf("save user: %w", err)
		}
		state = pendingState(0, s.owner)
	}
	keys := []string{keyUser(pid), keyOutbox(pid), keyOldRev(pid), keyOldProfile(pid), keyOldConv(pid), keyOldLink(pid)}
	n, err := runScript(ctx, s.c, saveScript, keys, snap.Rev, d.encode(snap.Rev+1), eventID, body, state).Int()
	if err != nil {
		return fmt.Errorf("save user: %w", err)
	}
	if n != 1 {
		return flows.ErrConflict
	}
	if old.dirty || d.facts != old.facts {
		s.index(ctx, pid, old.facts, d.facts, old.dirty)
	}
	return nil
}

// runScript runs a script by its hash, sending the script itself only when the server does not have it (after a
// restart or SCRIPT FLUSH).
func runScript(ctx context.Context, c Client, sc *goredis.Script, keys []string, args ...any) *goredis.Cmd {
	r := sc.EvalSha(ctx, c, keys, args...)
	if isNoScript(r.Err()) {
		r = sc.Eval(ctx, c, keys, args...)
	}
	return r
}

func isNoScript(err error) bool { return err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") }

// index brings the global indexes from what they hold for pid (the facts was; empty: nothing) to the facts now,
// in one pipeline; all rewrites every entry (after a failed update, when it is not known what they hold). The
// user's document is saved already: when this fails (the node holding an index is down), the document is marked
// so that the user's next save tries again.
func (s *Store) index(ctx context.Context, pid, was, now string, all bool) {
	oldRoles, oldDeadline, indexed := parseFacts(was)
	roles, deadline, _ := parseFacts(now)
	pipe := s.c.Pipeline()
	if all || !indexed {
		pipe.SAdd(ctx, keyUsers(), pid)
	}
	for _, r := range indexedRoles {
		switch has := hasRole(roles, r); {
		case has && (all || !hasRole(oldRoles, r)):
			pipe.SAdd(ctx, keyRole(string(r)), pid)
		case !has && (all || hasRole(oldRoles, r)):
			pipe.SRem(ctx, keyRole(string(r)), pid)
		}
	}
	switch {
	case deadline != 0 && (all || deadline != oldDeadline):
		pipe.ZAdd(ctx, keyDeadlines(), goredis.Z{Score: float64(deadline), Member: pid})
	case deadline == 0 && (all || oldDeadline != 0):
		pipe.ZRem(ctx, keyDeadlines(), pid)
	}
	if pipe.Len() == 0 {
		return
	}
	if _, err := pipe.Exec(ctx); err != nil {
		s.log().Error("global index update failed; retried at the user's next save", "err", err)
		if err := s.c.SetRange(ctx, keyUser(pid), 0, string(rune(flagDirty))).Err(); err != nil {
			s.log().Error("global index update failed and could not be marked for a retry", "err", err)
		}
	}
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

// Profile reads another user's profile (nil for none, and for an id merged into another profile).
func (s *Store) Profile(ctx context.Context, pid string) (*flows.Profile, error) {
	ps, err := s.Profiles(ctx, []string{pid})
	if err != nil || len(ps) == 0 {
		return nil, err
	}
	return ps[0], nil
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
