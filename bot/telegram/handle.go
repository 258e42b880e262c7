package telegram

import (
	"context"
	"fmt"
	"sync"

	"github.com/m4pris/mentorbot/flows"
)

// handle runs one converted update through the engine and queues its replies. An error means the update was not
// handled (the store is unreachable): the webhook answers 5xx so Telegram redelivers, the poller retries it.
// Once it returns nil the update is saved and marked seen, and its replies with it: pending until Telegram took
// them (durable.go).
func (a *Adapter) handle(ctx context.Context, in inbound) error {
	switch in.kind {
	case kindIgnored:
		if in.callback != "" {
			a.queue(ctx, job{chat: in.chat, callback: in.callback})
		}
		return nil
	case kindUnsupported:
		// Photos, voice notes and stickers are not read (nothing is stored either): say so kindly.
		text := a.eng.Content().T(flows.LangFromHint(in.ev.LangHint), "telegram.unsupported", nil)
		a.queue(ctx, job{chat: in.chat, replies: []flows.Reply{{Text: text}}})
		return nil
	}
	res, err := a.eng.Handle(ctx, in.ev)
	if err != nil {
		// The engine's "try again" reply goes out once per update and process, not on every redelivery.
		if a.sorry.first(in.ev.ID) {
			j := job{chat: in.chat, callback: in.callback}
			if in.kind == kindCallback && len(res.Replies) > 0 {
				j.toast = res.Replies[0].Text // a toast over the pressed button, not a new message
			} else {
				j.replies = res.Replies
			}
			a.queue(ctx, j)
		}
		return fmt.Errorf("telegram %s: %w", in.kind, err)
	}
	if res.Duplicate && res.Outbound == nil {
		// Handled before, and its replies sent (or being sent by whoever handled it).
		if in.callback != "" {
			a.queue(ctx, job{chat: in.chat, callback: in.callback})
		}
		return nil
	}
	// A new update's replies, or those of a redelivered one that nobody alive is sending (the process that
	// handled it died): both saved as pending, sent from the first message not yet acknowledged.
	a.queue(ctx, job{chat: in.chat, callback: in.callback, pressed: in.pressed, replies: res.Replies, update: true, out: res.Outbound})
	return nil
}

// queue hands a job to the outbox without waiting for it to be sent. A durable job that cannot be queued (the
// adapter is stopping) is released for another replica's sweeper.
func (a *Adapter) queue(ctx context.Context, j job) {
	if j.chat == 0 || (j.callback == "" && len(j.replies) == 0) {
		return
	}
	if err := a.out.put(ctx, j, false); err != nil {
		a.log.Error("reply not queued", "err", err)
		_ = a.settle(ctx, &j, err)
	}
}

// sorrySet remembers, per process, the updates that already got a "try again" reply. It is bounded by clearing
// itself: forgetting means at worst one more apology.
type sorrySet struct {
	mu sync.Mutex
	m  map[string]struct{}
}

const sorryMax = 4096

func (s *sorrySet) first(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[id]; ok {
		return false
	}
	if s.m == nil || len(s.m) >= sorryMax {
		s.m = map[string]struct{}{}
	}
	s.m[id] = struct{}{}
	return true
}
