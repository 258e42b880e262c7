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
// slots, so MGET would not do). Missing profiles are left out.
func (s *Store) Profiles(ctx context.Context, ids []string) ([]*flows.Profile, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	pipe := s.c.Pipeline()
	cmds := make([]*goredis.StringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.Get(ctx, keyProfile(id))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("read profiles: %w", err)
	}
	out := make([]*flows.Profile, 0, len(ids))
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
