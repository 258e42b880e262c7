package slack

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// alertOnceTTL is how long an alert posted to the channel is remembered, so the same alert addressed to several
// coordinators (one task each, same job and args) is posted once. Longer than the queue retries a task.
const alertOnceTTL = 72 * time.Hour

// Send implements flows.Sender: replies outside a Slack request (tasks, notices from other users' flows) go to the
// user's DM with the bot. The replies of a coordinator-facing alert (a task whose job's audience is
// flows.ToCoordinators) go to AlertChannel instead, when one is configured; everything addressed to a person,
// such as "a coordinator has picked up your request", goes to that person.
func (a *Adapter) Send(ctx context.Context, to flows.Identity, replies []flows.Reply) error {
	if to.Platform != flows.Slack {
		return flows.ErrUnreachable
	}
	if t, ok := flows.TaskFrom(ctx); ok && a.o.AlertChannel != "" && a.eng.Audience(t.Job) == flows.ToCoordinators {
		if sent, err := a.sendAlert(ctx, t, replies); sent || err != nil {
			return err
		}
	}
	dm, err := a.dm(ctx, to.ID)
	if err != nil {
		return err
	}
	for _, r := range replies {
		if r.File != nil {
			err = a.sendFile(ctx, to.ID, target{}, r)
		} else {
			err = a.postAll(ctx, dm, []flows.Reply{r})
		}
		if unreachable(err) {
			return flows.ErrUnreachable
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// sendAlert posts an alert task's replies to the alert channel, once per job and args across coordinators and
// replicas. sent is false when the channel cannot be used (the bot was not invited): then the alert goes to the
// coordinator's DM, so it is never lost.
func (a *Adapter) sendAlert(ctx context.Context, t flows.Task, replies []flows.Reply) (sent bool, err error) {
	key := ""
	if t.Args != "" {
		key = "alert:" + string(t.Job) + ":" + t.Args
		first, err := a.once.ClaimOnce(ctx, key, alertOnceTTL)
		if err != nil {
			return false, fmt.Errorf("slack alert: %w", err)
		}
		if !first {
			return true, nil // another coordinator's copy already reached the channel
		}
	}
	err = a.postAll(ctx, a.o.AlertChannel, replies)
	if err == nil {
		return true, nil
	}
	if key != "" {
		if rerr := a.once.ReleaseOnce(ctx, key); rerr != nil {
			a.log.Error("slack alert: release", "err", rerr)
		}
	}
	if channelUnusable(err) {
		a.log.Error("slack alert channel unusable, alert sent to the coordinator directly", "err", err)
		return false, nil
	}
	return true, err
}

// memOnce is Once within one process, for a single replica or tests.
type memOnce struct {
	mu sync.Mutex
	m  map[string]time.Time
}

func (o *memOnce) ClaimOnce(_ context.Context, key string, ttl time.Duration) (bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := time.Now()
	if o.m == nil {
		o.m = map[string]time.Time{}
	}
	if until, ok := o.m[key]; ok && now.Before(until) {
		return false, nil
	}
	o.m[key] = now.Add(ttl)
	return true, nil
}

func (o *memOnce) ReleaseOnce(_ context.Context, key string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.m, key)
	return nil
}
