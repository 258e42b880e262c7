package slack

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// runSocket keeps the Socket Mode connection up. socketmode reconnects by itself when Slack asks or the connection
// drops; it returns only on errors it cannot get past (a revoked token), and then this loop tries again slowly, so
// a token fixed in Slack's settings starts working without a restart. Events are read in this goroutine's partner,
// one at a time, so one user's updates are queued in the order Slack sent them (socketmode's own handler starts a
// goroutine per event and would lose that order).
func (a *Adapter) runSocket(ctx context.Context) {
	var wg sync.WaitGroup
	defer func() {
		wg.Wait()
		close(a.socketDone)
	}()
	wg.Go(func() { a.readSocket(ctx) })
	wait := time.Second
	for {
		err := a.socket.RunContext(ctx)
		if ctx.Err() != nil {
			return
		}
		a.connected.Store(false)
		a.log.Error("slack socket mode stopped, trying again", "err", err, "in", wait.String())
		if sleep(ctx, wait) != nil {
			return
		}
		wait = min(2*wait, time.Minute)
	}
}

func (a *Adapter) readSocket(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case evt := <-a.socket.Events:
			a.onSocketEvent(ctx, evt)
		}
	}
}

// onSocketEvent queues a request's work and acknowledges it at once (or refuses it, see submit).
func (a *Adapter) onSocketEvent(ctx context.Context, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		a.connected.Store(true)
		a.fatal.Store("")
		a.log.Info("slack socket mode connected")
	case socketmode.EventTypeConnectionError:
		if e, ok := evt.Data.(*slackapi.ConnectionErrorEvent); ok {
			a.log.Warn("slack socket mode connection failed", "attempt", e.Attempt, "err", e.ErrorObj)
		}
	case socketmode.EventTypeInvalidAuth:
		a.fatal.Store("invalid SLACK_APP_TOKEN")
	case socketmode.EventTypeErrorBadMessage:
		// An envelope this build cannot read (an event type it did not subscribe to): acknowledge it anyway, or
		// Slack would keep redelivering it.
		if e, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			var env struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if json.Unmarshal(e.Message, &env) == nil && env.EnvelopeID != "" {
				a.ack(ctx, env.EnvelopeID)
			}
			a.log.Warn("slack socket mode: unreadable message", "err", e.Cause)
		}
	case socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive, socketmode.EventTypeSlashCommand:
		if evt.Request == nil {
			return
		}
		taken := true
		switch data := evt.Data.(type) {
		case slackevents.EventsAPIEvent:
			taken = a.onEventsAPI(data, evt.Request.RetryAttempt)
		case slackapi.InteractionCallback:
			taken = a.onInteraction(data)
		case slackapi.SlashCommand:
			if taken = a.onSlash(data); !taken {
				// Refused: the person is told so, privately, in the acknowledgement itself.
				a.ackWith(ctx, evt.Request.EnvelopeID, a.busy(ctx, data.UserID))
				return
			}
		}
		// A refused event or press is not acknowledged: Slack redelivers the event later, and shows the person
		// that the press did not go through.
		if taken {
			a.ack(ctx, evt.Request.EnvelopeID)
		}
	}
}

// ack acknowledges an envelope. If it fails Slack redelivers, and the engine recognises the event id.
func (a *Adapter) ack(ctx context.Context, envelopeID string) { a.ackWith(ctx, envelopeID, nil) }

// ackWith acknowledges an envelope with a payload (for a slash command: the answer shown to the person).
func (a *Adapter) ackWith(ctx context.Context, envelopeID string, payload any) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := a.socket.AckCtx(ctx, envelopeID, payload); err != nil {
		a.log.Warn("slack socket mode: ack failed", "err", err)
	}
}

// quietLog keeps socketmode's own log lines (which can quote payloads, hence message text) out of the output.
type quietLog struct{}

func (quietLog) Output(int, string) error { return nil }
