package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
)

// callTimeout bounds one attempt of one call; a slow attempt is retried like a failed one.
const callTimeout = 15 * time.Second

// maxBackoff caps the wait between two attempts after a 5xx or a network error.
const maxBackoff = 30 * time.Second

// call makes one Slack call f through the schedule (method's limit; channel's too when the call posts in one) and
// retries it until the adapter's RetryFor has passed since the first attempt: after a rate-limited answer (429,
// or ok:false "ratelimited") every replica holds the method for Slack's Retry-After; after a 5xx, a network
// error, a timed-out attempt or one of Slack's "try again" errors it waits with exponential backoff and full
// jitter. Any other error is returned at once: the same request would fail the same way. A retried post whose
// first attempt reached Slack before the connection broke can show twice; that is the price of never losing one.
func (a *Adapter) call(ctx context.Context, method, channel string, f func(ctx context.Context) error) error {
	deadline := a.sched.now().Add(a.o.RetryFor)
	failures := 0
	for {
		if err := a.sched.wait(ctx, method, channel); err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		tap := &callTap{}
		cctx, cancel := context.WithTimeout(context.WithValue(ctx, tapKey{}, tap), callTimeout)
		err := f(cctx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", method, ctx.Err())
		}
		left := deadline.Sub(a.sched.now())
		if d, limited := rateLimited(err, tap); limited {
			a.m.RateLimited()
			if d > left {
				return fmt.Errorf("%s: rate limited for %v, past the retry deadline: %w", method, d, err)
			}
			a.sched.pause(ctx, method, d)
			a.log.Warn("slack rate limit: holding the method", "method", method, "retry_after", d.String())
			a.m.Retried()
			continue
		}
		if !transient(err) {
			return fmt.Errorf("%s: %w", method, err)
		}
		failures++
		ceiling := min(a.o.Backoff<<min(failures-1, 20), maxBackoff)
		d := rand.N(ceiling) + time.Millisecond
		if d > left {
			return fmt.Errorf("%s: gave up after %d attempts: %w", method, failures, err)
		}
		a.log.Warn("slack call failed, will retry", "method", method, "attempt", failures, "err", err)
		if err := a.sched.sleep(ctx, d); err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		a.m.Retried()
	}
}

// rateLimited reports a rate-limited answer and how long Slack asked to wait (at least a second when it did not
// say).
func rateLimited(err error, tap *callTap) (time.Duration, bool) {
	var rl *slackapi.RateLimitedError
	if errors.As(err, &rl) {
		return max(rl.RetryAfter, time.Second), true
	}
	var se slackapi.SlackErrorResponse
	if errors.As(err, &se) && se.Err == "ratelimited" {
		return max(tap.retryAfter, time.Second), true
	}
	var sc slackapi.StatusCodeError
	if errors.As(err, &sc) && sc.Code == http.StatusTooManyRequests {
		return max(tap.retryAfter, time.Second), true // a 429 without a readable Retry-After
	}
	return 0, false
}

// transientErrors are ok:false answers that Slack documents as "try again": its own trouble, not the request's.
var transientErrors = map[string]bool{
	"internal_error": true, "fatal_error": true, "service_unavailable": true, "request_timeout": true,
}

// transient reports errors worth another attempt: Slack's 5xx and "try again" errors, a broken or timed-out
// connection, an answer cut short.
func transient(err error) bool {
	var sc slackapi.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code >= 500 || sc.Code == http.StatusRequestTimeout
	}
	var se slackapi.SlackErrorResponse
	if errors.As(err, &se) {
		return transientErrors[se.Err]
	}
	var ne net.Error
	var syntax *json.SyntaxError
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.DeadlineExceeded) || errors.As(err, &syntax)
}

// callTap carries what the HTTP layer saw of one attempt to the retry logic: slack-go turns an ok:false
// "ratelimited" answer into an error without its Retry-After header.
type callTap struct {
	retryAfter time.Duration
}

type tapKey struct{}

// tapTransport records each answer's Retry-After in the attempt's callTap.
type tapTransport struct{ next http.RoundTripper }

func (t tapTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	if tap, ok := r.Context().Value(tapKey{}).(*callTap); ok {
		if s, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && s > 0 {
			tap.retryAfter = time.Duration(s) * time.Second
		}
	}
	return resp, err
}

// tapped returns a copy of c whose transport records Retry-After headers.
func tapped(c *http.Client) *http.Client {
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	cc := *c
	cc.Transport = tapTransport{next: next}
	return &cc
}
