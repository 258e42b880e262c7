package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"
)

// httpLimits bound what one client can hold of serve's HTTP servers: a slow or idle client is cut after a fixed
// time, a webhook route handles a fixed number of requests at once, and the public listener holds a fixed number
// of connections. Only MaxConns is read from the environment (MENTORBOT_HTTP_MAX_CONNS); tests shorten the times.
type httpLimits struct {
	// ReadHeader is how long a client may take to send the request line and headers. Default 5s.
	ReadHeader time.Duration
	// Body is how long a webhook's body may take once its headers have arrived; a slower one is cut with 408.
	// Telegram's and Slack's bodies are a few KiB sent at once. Default 5s.
	Body time.Duration
	// Read is how long a whole request (headers and body) may take on any route. Default 10s.
	Read time.Duration
	// Write is how long from the end of the headers to the end of the answer. Telegram's webhook is answered only
	// after the update is handled (at most 30 s, bot/telegram), so it is longer than that. Default 40s.
	Write time.Duration
	// Idle is how long a kept-alive connection may wait for its next request. Default 30s. Telegram and Slack
	// open a new connection when theirs was closed; a proxy in front should close its idle connections to the bot
	// sooner (README, Deploy), or one request now and then meets a closed connection and is delivered again.
	Idle time.Duration
	// MaxHeaderBytes caps the request line and headers (Telegram's and Slack's are under 2 KiB). Default 16 KiB.
	MaxHeaderBytes int
	// InFlight is how many requests one webhook route handles at once (Telegram's webhook; Slack's three endpoints
	// together); beyond it the answer is 503 with Retry-After, and the platform delivers again. Default 64, above
	// the 40 connections Telegram is allowed to open (setWebhook's max_connections).
	InFlight int
	// MaxConns (MENTORBOT_HTTP_MAX_CONNS) is how many connections the public listener holds at once; a new one
	// beyond it is answered 503 and closed. Zero: 4,096, and never more than the process's file limit less a
	// reserve for Redis and the platform APIs (see maxConns).
	MaxConns int
}

func defaultHTTPLimits() httpLimits {
	return httpLimits{
		ReadHeader: 5 * time.Second, Body: 5 * time.Second, Read: 10 * time.Second, Write: 40 * time.Second,
		Idle: 30 * time.Second, MaxHeaderBytes: 16 << 10, InFlight: 64,
	}
}

// httpConfig reads the HTTP server's variables.
func httpConfig(c *Config, getenv func(string) string) error {
	c.HTTP = defaultHTTPLimits()
	c.MetricsAddr = getenv("MENTORBOT_METRICS_ADDR")
	if c.MetricsAddr != "" && c.MetricsAddr == c.HTTPAddr {
		return fmt.Errorf("MENTORBOT_METRICS_ADDR: %q is MENTORBOT_HTTP_ADDR too; give metrics a port of their own, or leave it empty", c.MetricsAddr)
	}
	if v := getenv("MENTORBOT_HTTP_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 16 {
			return fmt.Errorf("MENTORBOT_HTTP_MAX_CONNS: want a number of connections (16 or more), got %q", v)
		}
		c.HTTP.MaxConns = n
	}
	return nil
}

// maxConns is the public listener's connection cap: configured (zero: 4,096), but leaving room under the file
// limit (zero: unknown) for what else the process opens: Redis connections, the queue's, calls to the platform
// APIs, the metrics listener. Without that room, a flood of connections makes accept, Redis and outgoing calls all
// fail with "too many open files".
func maxConns(configured, fileLimit int) int {
	n := configured
	if n == 0 {
		n = 4096
	}
	if fileLimit > 0 {
		reserve := max(256, fileLimit/8)
		n = min(n, max(fileLimit-reserve, 16))
	}
	return n
}

// newHTTPServer is an http.Server with every limit of l; each listener of serve gets one.
func newHTTPServer(h http.Handler, l httpLimits, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.ReadHeader,
		ReadTimeout:       l.Read,
		WriteTimeout:      l.Write,
		IdleTimeout:       l.Idle,
		MaxHeaderBytes:    l.MaxHeaderBytes,
		// The server's own complaints (accept errors at the file limit, TLS handshakes) in the JSON log.
		ErrorLog: slog.NewLogLogger(log.With("component", "http").Handler(), slog.LevelWarn),
	}
}

// webServers are serve's HTTP servers: the public one (webhooks, health) and, with MENTORBOT_METRICS_ADDR, a
// private one for /metrics and health.
type webServers struct {
	log   *slog.Logger
	srvs  []*http.Server
	lns   []net.Listener
	names []string
}

// httpServers sets up the servers on ln (public) and the metrics listener: m.MetricsListener, else one opened on
// MENTORBOT_METRICS_ADDR, else none (then /metrics is on the public listener). health adds /healthz and /readyz to
// a mux; both listeners have them, unbounded, so a health check is answered while the webhooks are busy.
func (m *Main) httpServers(ln net.Listener, public *http.ServeMux, health func(*http.ServeMux)) (*webServers, error) {
	lim := m.Config.HTTP
	health(public)
	mln := m.MetricsListener
	if mln == nil && m.Config.MetricsAddr != "" {
		var err error
		if mln, err = net.Listen("tcp", m.Config.MetricsAddr); err != nil {
			return nil, fmt.Errorf("listen on MENTORBOT_METRICS_ADDR: %w", err)
		}
	}
	files := fileLimit()
	conns := maxConns(lim.MaxConns, files)
	w := &webServers{log: m.Log}
	w.add("http", newHTTPServer(public, lim, m.Log), newCapListener(ln, conns, func() { m.Metrics.refusedHTTP("listener", "conns") }))
	if mln != nil {
		private := http.NewServeMux()
		private.Handle("GET /metrics", m.Metrics.Handler())
		health(private)
		w.add("metrics", newHTTPServer(private, lim, m.Log), mln)
	} else {
		public.Handle("GET /metrics", m.Metrics.Handler())
	}
	m.Log.Info("http limits", "max_conns", conns, "file_limit", files, "in_flight", lim.InFlight,
		"read_header", lim.ReadHeader.String(), "body", lim.Body.String(), "read", lim.Read.String(),
		"write", lim.Write.String(), "idle", lim.Idle.String())
	return w, nil
}

func (w *webServers) add(name string, s *http.Server, ln net.Listener) {
	w.names, w.srvs, w.lns = append(w.names, name), append(w.srvs, s), append(w.lns, ln)
}

// serve runs every server; the first that fails sends its error to errc (which has room for one).
func (w *webServers) serve(errc chan<- error) {
	for i, s := range w.srvs {
		go func() {
			w.log.Info(w.names[i]+" listening", "addr", w.lns[i].Addr().String())
			if err := s.Serve(w.lns[i]); err != nil && !errors.Is(err, http.ErrServerClosed) {
				select {
				case errc <- fmt.Errorf("%s server: %w", w.names[i], err):
				default:
				}
			}
		}()
	}
}

// shutdown stops every server: no new requests, in-flight ones finish until ctx ends.
func (w *webServers) shutdown(ctx context.Context) error {
	var errs []error
	for _, s := range w.srvs {
		errs = append(errs, s.Shutdown(ctx))
	}
	return errors.Join(errs...)
}
