package telegram

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// MaxBody is the largest webhook body accepted. Telegram's updates are a few KiB; a message is at most 4,096
// characters.
const MaxBody = 1 << 20

// secretHeader carries the secret_token given to setWebhook.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// handleTimeout bounds the handling of one webhook update; it is detached from the request so that Telegram
// giving up on a slow request does not abort a save half-way.
const handleTimeout = 30 * time.Second

// ServeHTTP is the webhook endpoint. It answers 200 only after the update is handled and saved, its replies with
// it (or recognised as a redelivery), so neither the update nor its replies are lost to a crash: the replies are
// sent from Redis by whoever gets to them (durable.go); a 5xx makes Telegram deliver the update again.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	// Constant time, so the secret cannot be guessed byte by byte from response times. An adapter without a
	// secret (polling mode) refuses everything.
	got := r.Header.Get(secretHeader)
	if a.o.WebhookSecret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(a.o.WebhookSecret)) != 1 {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	u, err := DecodeUpdate(body)
	if err != nil {
		http.Error(w, "bad update", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), handleTimeout)
	defer cancel()
	if err := a.handle(ctx, convert(u)); err != nil {
		a.log.Error("webhook update not handled; Telegram will redeliver", "err", err)
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// allowedUpdates are the update types the bot reads; Telegram does not send the others.
var allowedUpdates = []string{models.AllowedUpdateMessage, models.AllowedUpdateCallbackQuery}

// setWebhook registers the webhook URL and secret with Telegram.
func (a *Adapter) setWebhook(ctx context.Context) error {
	err := a.call(ctx, nil, false, "setWebhook", func(ctx context.Context) error {
		_, err := a.api.SetWebhook(ctx, &bot.SetWebhookParams{
			URL: a.o.WebhookURL, SecretToken: a.o.WebhookSecret, AllowedUpdates: allowedUpdates,
			// Telegram's default of 40 parallel connections is more than one Redis-backed replica set needs.
			MaxConnections: 40,
		})
		return err
	})
	if err != nil {
		return errors.New("telegram: setWebhook failed: " + redact(err.Error(), a.o.WebhookSecret))
	}
	return nil
}
