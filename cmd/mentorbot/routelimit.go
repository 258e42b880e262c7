package main

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// limitRoute wraps the webhook handler h of one platform (route names it in the metrics). It bounds what a client
// can hold of the route:
//
//   - the body, at most maxBody bytes (413 beyond), must arrive within Body of the handler's start, else 408 and
//     the connection is closed: a body trickled one byte at a time, with or without a valid secret, is cut even
//     when its headers came fast;
//   - then at most InFlight requests of the route are handled at once; beyond that the answer is 503 with
//     Retry-After, which Telegram and Slack both take as "deliver again later".
//
// The body is read before a slot is taken, so slow senders hold connections (each until its deadline) but never
// slots: a valid delivery finds a slot free however many slow bodies are on their way. h then reads the buffered
// body; its own size check still applies. Health endpoints are not wrapped, so they never wait for a slot.
func (m *Main) limitRoute(route string, maxBody int64, h http.Handler) http.Handler {
	lim := m.Config.HTTP
	slots := make(chan struct{}, lim.InFlight)
	refuse := func(w http.ResponseWriter, code int, reason string) {
		m.Metrics.refusedHTTP(route, reason)
		http.Error(w, http.StatusText(code), code)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBody {
			// Said before reading: the server closes the connection rather than read a body nobody wants.
			refuse(w, http.StatusRequestEntityTooLarge, "too_large")
			return
		}
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Now().Add(lim.Body))
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
				w.Header().Set("Connection", "close")
				refuse(w, http.StatusRequestTimeout, "slow")
				return
			}
			refuse(w, http.StatusBadRequest, "bad_body")
			return
		}
		// The body is in; the server's own whole-request deadline must not cut a long handling (Telegram's answer
		// waits for the update to be saved), nor cancel its context.
		rc.SetReadDeadline(time.Time{})
		if int64(len(body)) > maxBody {
			refuse(w, http.StatusRequestEntityTooLarge, "too_large")
			return
		}
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
		default:
			w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
			refuse(w, http.StatusServiceUnavailable, "busy")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	})
}

// retryAfterSeconds is the Retry-After of a 503 from a full route: a slot frees within a handling time.
const retryAfterSeconds = 2
