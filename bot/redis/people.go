package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/m4pris/mentorbot/flows"
)

// Profiles reads several profiles in one round trip (a pipeline of GETs: in Cluster the keys live in different
// slots, so MGET would not do). Missing profiles are left out. Users not yet moved to the document are read from
// the previous layout in a second round trip.
func (s *Store) Profiles(ctx context.Context, ids []string) ([]*flows.Profile, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	pipe := s.c.Pipeline()
	cmds := make([]*goredis.StringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.Get(ctx, keyUser(id))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("read profiles: %w", err)
	}
	out := make([]*flows.Profile, 0, len(ids))
	var old []string
	for i, c := range cmds {
		b, err := c.Bytes()
		if errors.Is(err, goredis.Nil) {
			old = append(old, ids[i])
			continue
		}
		d, err := decodeDoc(b)
		if err != nil {
			return nil, fmt.Errorf("read profiles: %w", err)
		}
		if len(d.profile) == 0 {
			continue // merged into another profile
		}
		p := new(flows.Profile)
		if err := json.Unmarshal(d.profile, p); err != nil {
			return nil, fmt.Errorf("decode profile: %w", err)
		}
		out = append(out, p)
	}
	if len(old) > 0 {
		ps, err := s.oldProfiles(ctx, old)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	return out, nil
}

// EachProfiles walks every user (SSCAN of the users index, so the server is never blocked by one big reply) and
// calls fn with their profiles, batch at a time (one pipeline each). A user may be seen twice if the index is
// rehashed during the walk: callers must be idempotent, as planners are. It stops at fn's first error.
func (s *Store) EachProfiles(ctx context.Context, batch int, fn func([]*flows.Profile) error) error {
	if batch <= 0 {
		batch = 500
	}
	var cursor uint64
	for {
		ids, next, err := s.c.SScan(ctx, keyUsers(), cursor, "", int64(batch)).Result()
		if err != nil {
			return fmt.Errorf("scan users: %w", err)
		}
		for len(ids) > 0 {
			n := min(batch, len(ids))
			ps, err := s.Profiles(ctx, ids[:n])
			if err != nil {
				return err
			}
			if err := fn(ps); err != nil {
				return err
			}
			ids = ids[n:]
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
}
