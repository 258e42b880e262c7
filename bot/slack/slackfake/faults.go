package slackfake

import (
	"net/http"
	"strconv"
	"time"
)

// Fault is how the fake answers one call instead of doing it: the ways Slack and the network fail.
type Fault struct {
	// Status is an HTTP status answered with no Slack body (500, 502, 503), or 429 with RetryAfter.
	Status int
	// Error is answered as {"ok":false,"error":Error} with status 200, as Slack answers "ratelimited" too.
	Error string
	// RetryAfter, in seconds, is sent as a Retry-After header (with a 429 or an ok:false "ratelimited").
	RetryAfter int
	// Drop closes the connection without an answer, as a network failure would.
	Drop bool
}

// Fail makes the next n calls of method ("chat.postMessage", …, or "response_url") answer with f. Faults queue:
// they are used in the order they were added.
func (s *Server) Fail(method string, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failure[method] = append(s.failure[method], f)
	}
}

// FailNext makes the next call of method answer {"ok":false,"error":code}.
func (s *Server) FailNext(method, code string) { s.Fail(method, 1, Fault{Error: code}) }

// RateLimitNext makes the next call of method answer 429 with Retry-After seconds.
func (s *Server) RateLimitNext(method string, seconds int) {
	s.Fail(method, 1, Fault{Status: http.StatusTooManyRequests, RetryAfter: seconds})
}

// fault answers the call with the next queued fault of method, if there is one; the caller holds s.mu.
func (s *Server) fault(w http.ResponseWriter, method string) bool {
	q := s.failure[method]
	if len(q) == 0 {
		return false
	}
	f := q[0]
	s.failure[method] = q[1:]
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	switch {
	case f.Drop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler) // net/http closes the connection without an answer
	case f.Status != 0:
		w.WriteHeader(f.Status)
	default:
		writeJSON(w, obj{"ok": false, "error": f.Error})
	}
	return true
}

// FaultsLeft is the number of faults not used yet.
func (s *Server) FaultsLeft() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, q := range s.failure {
		n += len(q)
	}
	return n
}

// LimitChannels makes chat.postMessage enforce a per-channel limit the way Slack does: a message every every,
// burst at once; a message over it is answered 429 with Retry-After 1 and counted (Limited). The limit is a GCRA
// on arrival times, so it tolerates a sender that spaces its messages evenly.
func (s *Server) LimitChannels(every time.Duration, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = &channelLimit{every: every, burst: max(burst, 1), tat: map[string]time.Time{}}
}

// Limited counts the messages refused by LimitChannels.
func (s *Server) Limited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limited
}

type channelLimit struct {
	every time.Duration
	burst int
	tat   map[string]time.Time // per channel: when the next message would be due at the full rate
}

// allowPost reports whether a message to channel arriving at at is within the limit, and counts it; the caller
// holds s.mu.
func (s *Server) allowPost(channel string, at time.Time) bool {
	l := s.limit
	if l == nil {
		return true
	}
	tat := l.tat[channel]
	if tat.Before(at) {
		tat = at
	}
	if tat.Sub(at) > time.Duration(l.burst-1)*l.every {
		return false
	}
	l.tat[channel] = tat.Add(l.every)
	return true
}
