package redis

import (
	"context"
	"fmt"
	"time"
)

// ClaimOnce reports whether this caller is the first to claim key within ttl (SET NX), across replicas. The Slack
// adapter uses it to post an alert addressed to several coordinators to their shared channel once.
func (s *Store) ClaimOnce(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	ok, err := s.c.SetNX(ctx, keySlackOnce(key), "1", ttl).Result()
	if err != nil {
		return false, fmt.Errorf("claim once: %w", err)
	}
	return ok, nil
}

// ReleaseOnce gives a claim up (the post failed), so a later attempt can claim it again.
func (s *Store) ReleaseOnce(ctx context.Context, key string) error {
	if err := s.c.Del(ctx, keySlackOnce(key)).Err(); err != nil {
		return fmt.Errorf("release once: %w", err)
	}
	return nil
}
