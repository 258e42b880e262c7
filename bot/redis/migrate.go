package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/m4pris/mentorbot/flows"
)

// Users stored by the previous build (a key each for profile, conversation, revision, link, and one for every
// handled event id) are read from those keys until their first save writes the document, whose script deletes
// them. A retired (merged) profile's link is moved at once. Handled-event marks other than the one being loaded
// are not carried over; they expire on their own (72 h). So a redelivery of an update handled by the previous
// build, arriving after the user's first update on this one, is handled again. Replace every replica at once:
// a previous-build replica still running would write keys this build no longer reads.

// linkMoveScript writes a retired profile's link as its document, once, and deletes the previous layout's keys.
//
// KEYS[1] document, KEYS[2] previous link, KEYS[3] previous revision; ARGV[1] the document.
var linkMoveScript = goredis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then redis.call('DEL', KEYS[2], KEYS[3]) end
return 1
`)

// loadOld reads a user without a document from the previous layout.
func (s *Store) loadOld(ctx context.Context, pid, eventID string) (flows.Snapshot, error) {
	var snap flows.Snapshot
	pipe := s.c.Pipeline()
	rev := pipe.Get(ctx, keyOldRev(pid))
	prof := pipe.Get(ctx, keyOldProfile(pid))
	conv := pipe.Get(ctx, keyOldConv(pid))
	link := pipe.Get(ctx, keyOldLink(pid))
	var seen *goredis.StringCmd
	if eventID != "" {
		seen = pipe.Get(ctx, keyOldSeen(pid, eventID))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, goredis.Nil) {
		return snap, fmt.Errorf("load user (previous layout): %w", err)
	}
	if b, err := prof.Bytes(); err == nil {
		snap.Profile = new(flows.Profile)
		if err := json.Unmarshal(b, snap.Profile); err != nil {
			return snap, fmt.Errorf("decode profile: %w", err)
		}
	}
	if b, err := conv.Bytes(); err == nil {
		_ = json.Unmarshal(b, &snap.State)
	}
	if to, err := link.Result(); err == nil && snap.Profile == nil {
		r, _ := rev.Int64()
		d := userDoc{link: to}
		keys := []string{keyUser(pid), keyOldLink(pid), keyOldRev(pid)}
		if err := runScript(ctx, s.c, linkMoveScript, keys, d.encode(r)).Err(); err != nil {
			return snap, fmt.Errorf("move link: %w", err)
		}
		snap.LinkedTo, snap.Rev = to, r
		return snap, nil
	}
	if seen != nil {
		if v, err := seen.Result(); err == nil {
			snap.Seen = true
			if v != "1" {
				// A task's replies the previous build had not confirmed sent: pending now, for anyone to send.
				if err := s.adoptPending(ctx, pid, eventID, v); err != nil {
					return snap, err
				}
			}
		}
	}
	// Rev stays 0: the first save writes the document (no document yet is revision 0) and deletes these keys.
	return snap, nil
}

// adoptPending moves replies pending in a previous-layout mark into the outbox, released.
func (s *Store) adoptPending(ctx context.Context, pid, eventID, mark string) error {
	var replies []flows.Reply
	if err := json.Unmarshal([]byte(mark), &replies); err != nil {
		return nil // unreadable: nothing to send
	}
	body, err := s.encodeBody(pid, eventID, &flows.Outbound{Replies: replies})
	if err != nil {
		return fmt.Errorf("adopt pending replies: %w", err)
	}
	pipe := s.c.Pipeline()
	pipe.HSetNX(ctx, keyOutbox(pid), eventID, body)
	pipe.HSetNX(ctx, keyOutbox(pid), eventID+"#", pendingState(0, ""))
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("adopt pending replies: %w", err)
	}
	return nil
}

// oldProfiles reads the profiles of users without a document from the previous layout.
func (s *Store) oldProfiles(ctx context.Context, ids []string) ([]*flows.Profile, error) {
	pipe := s.c.Pipeline()
	cmds := make([]*goredis.StringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.Get(ctx, keyOldProfile(id))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("read profiles (previous layout): %w", err)
	}
	var out []*flows.Profile
	for _, c := range cmds {
		b, err := c.Bytes()
		if err != nil {
			continue
		}
		p := new(flows.Profile)
		if err := json.Unmarshal(b, p); err != nil {
			return nil, fmt.Errorf("decode profile: %w", err)
		}
		out = append(out, p)
	}
	return out, nil
}
