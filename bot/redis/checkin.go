package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/m4pris/mentorbot/flows/checkin"
)

var _ checkin.Store = (*Store)(nil)

// tallyTTL keeps the anonymous totals a little longer than the retention of personal scores, so a year's report
// is complete; they hold no personal data.
const tallyTTL = 400 * 24 * time.Hour

// PutAlert writes an alert that expires after ttl and keeps it in the index of open alerts (a sorted set by due
// time) while it is open, in one round trip. Not a transaction: the alert and the index live in different Cluster
// slots. A failure between the two is returned, and the flow's retry writes both again.
func (s *Store) PutAlert(ctx context.Context, a checkin.Alert, ttl time.Duration) error {
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encode alert: %w", err)
	}
	pipe := s.c.Pipeline()
	pipe.Set(ctx, keyAlert(a.ID), b, ttl)
	if a.Unanswered {
		pipe.ZRem(ctx, keyOpenAlerts(), a.ID)
	} else {
		pipe.ZAdd(ctx, keyOpenAlerts(), goredis.Z{Score: float64(a.Due.Unix()), Member: a.ID})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("put alert: %w", err)
	}
	return nil
}

// DueAlerts lists the open alerts whose escalation was due at or before t. An alert that expired is still listed
// until the sweep finds it gone and deletes it.
func (s *Store) DueAlerts(ctx context.Context, t time.Time) ([]string, error) {
	ids, err := s.c.ZRangeByScore(ctx, keyOpenAlerts(), &goredis.ZRangeBy{Min: "-inf", Max: strconv.FormatInt(t.Unix(), 10)}).Result()
	if err != nil {
		return nil, fmt.Errorf("due alerts: %w", err)
	}
	return ids, nil
}

// GetAlert reads an alert; nil when it expired or was erased.
func (s *Store) GetAlert(ctx context.Context, id string) (*checkin.Alert, error) {
	b, err := s.c.Get(ctx, keyAlert(id)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get alert: %w", err)
	}
	a := new(checkin.Alert)
	if err := json.Unmarshal(b, a); err != nil {
		return nil, fmt.Errorf("decode alert: %w", err)
	}
	return a, nil
}

// AckAlert sets the holder only if nobody holds it (SET NX), then reads who does, in one round trip: whichever
// coordinator's SET landed first is the holder every caller sees.
func (s *Store) AckAlert(ctx context.Context, id, by string, ttl time.Duration) (string, error) {
	pipe := s.c.Pipeline()
	pipe.SetNX(ctx, keyAlertAck(id), by, ttl)
	get := pipe.Get(ctx, keyAlertAck(id))
	pipe.ZRem(ctx, keyOpenAlerts(), id) // taken: nothing for the sweep to do
	if _, err := pipe.Exec(ctx); err != nil {
		return "", fmt.Errorf("ack alert: %w", err)
	}
	return get.Val(), nil
}

// AlertHolder returns who took the alert, "" if nobody did.
func (s *Store) AlertHolder(ctx context.Context, id string) (string, error) {
	h, err := s.c.Get(ctx, keyAlertAck(id)).Result()
	if errors.Is(err, goredis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("alert holder: %w", err)
	}
	return h, nil
}

// DeleteAlert removes an alert and its acknowledgement.
func (s *Store) DeleteAlert(ctx context.Context, id string) error {
	pipe := s.c.Pipeline()
	pipe.Del(ctx, keyAlert(id), keyAlertAck(id))
	pipe.ZRem(ctx, keyOpenAlerts(), id)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("delete alert: %w", err)
	}
	return nil
}

// AddTally counts one check-in in a MULTI/EXEC (one round trip): the counts of one group never disagree.
func (s *Store) AddTally(ctx context.Context, period, inst, group string, score float64, scored bool) error {
	k := keyTally(period, inst)
	_, err := s.c.TxPipelined(ctx, func(pipe goredis.Pipeliner) error {
		pipe.HIncrBy(ctx, k, group+":p", 1)
		if scored {
			pipe.HIncrBy(ctx, k, group+":n", 1)
			pipe.HIncrByFloat(ctx, k, group+":s", score)
		}
		pipe.Expire(ctx, k, tallyTTL)
		return nil
	})
	if err != nil {
		return fmt.Errorf("add tally: %w", err)
	}
	return nil
}

// Tallies reads every group's totals for period and instrument.
func (s *Store) Tallies(ctx context.Context, period, inst string) (map[string]checkin.Tally, error) {
	m, err := s.c.HGetAll(ctx, keyTally(period, inst)).Result()
	if err != nil {
		return nil, fmt.Errorf("read tallies: %w", err)
	}
	out := map[string]checkin.Tally{}
	for field, v := range m {
		i := strings.LastIndex(field, ":")
		if i < 0 {
			continue
		}
		g, kind := field[:i], field[i+1:]
		t := out[g]
		switch kind {
		case "p":
			t.People, _ = strconv.Atoi(v)
		case "n":
			t.Scored, _ = strconv.Atoi(v)
		case "s":
			t.Sum, _ = strconv.ParseFloat(v, 64)
		}
		out[g] = t
	}
	return out, nil
}
