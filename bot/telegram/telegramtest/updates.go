package telegramtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// getUpdates answers from the queue, waiting up to timeout seconds for an update (long polling).
func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, c Call) {
	f := c.Fields
	offset, _ := strconv.ParseInt(f["offset"], 10, 64)
	timeout, _ := strconv.Atoi(f["timeout"])
	limit, _ := strconv.Atoi(f["limit"])
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	s.mu.Lock()
	c.Status = 200
	if s.webhookURL != "" {
		c.Status = 409
		s.calls = append(s.calls, c)
		s.mu.Unlock()
		answer(w, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", nil)
		return
	}
	s.calls = append(s.calls, c)
	s.polling++
	s.maxPolling = max(s.maxPolling, s.polling)
	if offset > 0 {
		// An offset confirms every update before it: Telegram forgets them.
		s.confirmed = max(s.confirmed, offset-1)
		kept := s.updates[:0]
		for _, u := range s.updates {
			if u.id >= offset {
				kept = append(kept, u)
			}
		}
		s.updates = kept
	}
	s.notify()
	deadline := time.After(time.Duration(timeout) * time.Second)
	for len(s.updates) == 0 && timeout > 0 {
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
		case <-r.Context().Done():
		}
		s.mu.Lock()
		if r.Context().Err() != nil {
			break
		}
		select {
		case <-deadline:
			timeout = 0
		default:
		}
	}
	var out []json.RawMessage
	for _, u := range s.updates {
		if len(out) == limit {
			break
		}
		out = append(out, u.raw)
	}
	s.polling--
	s.mu.Unlock()
	if out == nil {
		out = []json.RawMessage{}
	}
	writeJSON(w, 200, map[string]any{"ok": true, "result": out})
}
