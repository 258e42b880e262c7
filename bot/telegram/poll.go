package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// pollLock is the lease name of the one poller.
const pollLock = "telegram:poll"

// poller receives updates by long polling while it holds the polling lease. The offset is confirmed to Telegram
// (by the next getUpdates) only after every update of a batch was handled, so a crash loses nothing: Telegram
// hands out the batch again and the engine recognises what it already saved.
type poller struct {
	a *Adapter
	// waiting is true while another replica polls (logged once, not every attempt).
	waiting bool
}

// run polls until ctx ends, taking the lease whenever it is free.
func (p *poller) run(ctx context.Context) {
	a := p.a
	retry := a.o.LockTTL / 3
	for ctx.Err() == nil {
		ok, err := a.o.Locker.Acquire(ctx, pollLock, a.o.Owner, a.o.LockTTL)
		switch {
		case err != nil:
			a.log.Error("telegram poll lock", "err", err)
		case !ok:
			if !p.waiting {
				a.log.Info("another replica polls Telegram; waiting for its lease to end")
				p.waiting = true
			}
		default:
			p.waiting = false
			a.log.Info("telegram polling")
			p.poll(ctx)
			// The lease is released only by its owner, and only if still held.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			if err := a.o.Locker.Release(rctx, pollLock, a.o.Owner); err != nil {
				a.log.Error("telegram poll lock release", "err", err)
			}
			cancel()
			continue
		}
		if err := sleepCtx(ctx, retry); err != nil {
			return
		}
	}
}

// poll runs getUpdates while the lease holds: it renews the lease every third of its TTL and stops when a renewal
// says the lease is gone (or could not be confirmed for two thirds of the TTL).
func (p *poller) poll(ctx context.Context) {
	a := p.a
	defer a.polled(nil, true) // not polling: nothing to be unready about
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.keepLease(ctx, cancel)
	}()
	defer wg.Wait()

	// Telegram refuses getUpdates (409) while a webhook is set.
	if err := a.call(ctx, nil, false, "deleteWebhook", func(ctx context.Context) error {
		_, err := a.api.DeleteWebhook(ctx, &bot.DeleteWebhookParams{})
		return err
	}); err != nil {
		a.log.Warn("telegram deleteWebhook", "err", err)
	}
	var offset int64
	var backoff time.Duration
	for ctx.Err() == nil {
		batch, next, err := a.getUpdates(ctx, offset, a.o.PollTimeout, 100)
		a.polled(err, ctx.Err() != nil)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
			a.log.Warn("telegram getUpdates", "err", err, "retry_in", backoff.String())
			if sleepCtx(ctx, backoff) != nil {
				break
			}
			continue
		}
		backoff = 0
		// Handling uses the work context: a shutdown lets the batch finish; only the shutdown timeout cuts it.
		if !a.handleBatch(a.work, batch) {
			return // not all handled: do not confirm; the next poller gets the batch again
		}
		if next > offset {
			offset = next
		}
	}
	if offset > 0 {
		// Confirm the last batch now, so a restart does not receive it again.
		cctx, ccancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_, _, _ = a.getUpdates(cctx, offset, 0, 1)
		ccancel()
	}
}

// polled records the outcome of a getUpdates call for Ready: the time of the first failure in a row, zero after a
// success (or when polling stops: the replica no longer holds the lease).
func (a *Adapter) polled(err error, stopping bool) {
	switch {
	case err == nil || stopping:
		a.pollFailing.Store(0)
	default:
		a.pollFailing.CompareAndSwap(0, time.Now().UnixNano())
	}
}

func (p *poller) keepLease(ctx context.Context, lost context.CancelFunc) {
	a := p.a
	ttl := a.o.LockTTL
	t := time.NewTicker(ttl / 3)
	defer t.Stop()
	held := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ok, err := a.o.Locker.Renew(ctx, pollLock, a.o.Owner, ttl)
		switch {
		case err == nil && ok:
			held = time.Now()
		case err == nil:
			a.log.Warn("telegram poll lease lost; stopping polling")
			lost()
			return
		case time.Since(held) > 2*ttl/3:
			a.log.Error("telegram poll lease not renewed in time; stopping polling", "err", err)
			lost()
			return
		}
	}
}

// handleBatch handles a batch with one goroutine per chat: a chat's updates in order, chats in parallel. It
// reports whether every update was handled; a failing update is retried (with backoff) until it is or ctx ends,
// because skipping it would lose a message and handling the next one first would reorder the chat.
func (a *Adapter) handleBatch(ctx context.Context, batch []*models.Update) bool {
	var order []int64
	chats := map[int64][]inbound{}
	for _, u := range batch {
		in := convert(u)
		if _, ok := chats[in.chat]; !ok {
			order = append(order, in.chat)
		}
		chats[in.chat] = append(chats[in.chat], in)
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	var failed atomic.Bool
	for _, chat := range order {
		wg.Add(1)
		sem <- struct{}{}
		go func(ins []inbound) {
			defer func() { <-sem; wg.Done() }()
			for _, in := range ins {
				if !a.handleRetry(ctx, in) {
					failed.Store(true)
					return
				}
			}
		}(chats[chat])
	}
	wg.Wait()
	return !failed.Load()
}

func (a *Adapter) handleRetry(ctx context.Context, in inbound) bool {
	var backoff time.Duration
	for {
		err := a.handle(ctx, in)
		if err == nil {
			return true
		}
		backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
		a.log.Error("telegram update not handled; retrying", "err", err, "retry_in", backoff.String())
		if sleepCtx(ctx, backoff) != nil {
			return false
		}
	}
}

// getUpdates calls the Bot API's getUpdates. go-telegram/bot keeps its own polling loop private (and confirms
// updates before they are handled), so this one call is made here. It returns the decodable updates and the
// offset that confirms the whole batch, undecodable entries included.
func (a *Adapter) getUpdates(ctx context.Context, offset int64, wait time.Duration, limit int) ([]*models.Update, int64, error) {
	body, _ := json.Marshal(map[string]any{
		"offset": offset, "timeout": int(wait / time.Second), "limit": limit, "allowed_updates": allowedUpdates,
	})
	ctx, cancel := context.WithTimeout(ctx, wait+15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.o.APIURL+"/bot"+a.o.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, 0, errors.New("getUpdates: bad API URL")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		// The request URL holds the token: keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, 0, fmt.Errorf("getUpdates: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, 0, fmt.Errorf("getUpdates: read: %w", err)
	}
	var r struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, 0, fmt.Errorf("getUpdates: HTTP %d, undecodable answer", resp.StatusCode)
	}
	if !r.OK {
		return nil, 0, fmt.Errorf("getUpdates: %d %s", r.ErrorCode, r.Description)
	}
	var out []*models.Update
	var next int64
	for _, e := range r.Result {
		var id struct {
			ID int64 `json:"update_id"`
		}
		_ = json.Unmarshal(e, &id)
		next = max(next, id.ID+1)
		u, err := DecodeUpdate(e)
		if err != nil {
			a.log.Warn("telegram update skipped: undecodable")
			continue
		}
		out = append(out, u)
	}
	return out, next, nil
}

// redact removes a secret from a message before it is logged or returned.
func redact(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "***")
}
