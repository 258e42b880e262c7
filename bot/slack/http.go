package slack

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// The HTTP endpoints (HTTP mode), to enter as Request URLs in the app's settings.
const (
	PathEvents      = "/slack/events"
	PathInteraction = "/slack/interactivity"
	PathCommands    = "/slack/commands"
)

// Routes adds the HTTP endpoints to mux. Every request must carry a valid signature (see Verify), else 401; a body
// over MaxBody is refused with 413. The answer is 200 at once: the work runs after, in per-user order. When too
// much work is waiting (see submit) an event or a press gets 503 (Slack retries an event later, and shows the
// person that a press failed) and a slash command a private "try again in a minute".
func (a *Adapter) Routes(mux *http.ServeMux) error {
	if a.o.SigningSecret == "" {
		return errors.New("slack: the HTTP endpoints need SLACK_SIGNING_SECRET")
	}
	mux.Handle("POST "+PathEvents, a.verified(a.serveEvents))
	mux.Handle("POST "+PathInteraction, a.verified(a.serveInteraction))
	mux.Handle("POST "+PathCommands, a.verified(a.serveCommand))
	return nil
}

// Verify checks a request's Slack signature: the v0 HMAC-SHA256 of "v0:timestamp:body" under the signing
// secret, compared in constant time, with a timestamp no more than 5 minutes from now. An empty secret fails.
func Verify(secret string, h http.Header, body []byte) error {
	sv, err := slackapi.NewSecretsVerifier(h, secret)
	if err != nil {
		return err
	}
	if _, err := sv.Write(body); err != nil {
		return err
	}
	return sv.Ensure()
}

func (a *Adapter) verified(next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.o.MaxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if err := Verify(a.o.SigningSecret, r.Header, body); err != nil {
			a.log.Warn("slack request refused", "path", r.URL.Path, "reason", err.Error())
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next(w, r, body)
	})
}

func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request, body []byte) {
	var outer struct {
		Type      string `json:"type"`
		Challenge string `json:"challenge"`
	}
	if err := json.Unmarshal(body, &outer); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if outer.Type == slackevents.URLVerification {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, outer.Challenge)
		return
	}
	ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		// An event type this build does not read: acknowledged, so Slack does not retry it.
		w.WriteHeader(http.StatusOK)
		return
	}
	retry, _ := strconv.Atoi(r.Header.Get("X-Slack-Retry-Num"))
	if !a.onEventsAPI(ev, retry) {
		http.Error(w, "busy, retry later", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, _ *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	var cb slackapi.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if !a.onInteraction(cb) {
		http.Error(w, "busy, retry later", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	sc := slackapi.SlashCommand{
		TeamID: form.Get("team_id"), ChannelID: form.Get("channel_id"), UserID: form.Get("user_id"),
		Command: form.Get("command"), Text: form.Get("text"), ResponseURL: form.Get("response_url"),
		TriggerID: form.Get("trigger_id"), APIAppID: form.Get("api_app_id"),
	}
	if !a.onSlash(sc) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(a.busy(r.Context(), sc.UserID))
		return
	}
	// An empty 200 shows nothing in Slack; the answer follows from the worker.
	w.WriteHeader(http.StatusOK)
}
