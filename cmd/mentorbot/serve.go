package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"slices"
	"time"
)

// component is one long-running part of serve: a platform adapter, the schedulers, the queue worker.
// Start returns once the component runs; Stop stops it and waits for its in-flight work.
type component interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// parts is what serve runs, assembled by the build functions of each platform and subsystem (one file each).
type parts struct {
	mux *http.ServeMux
	// intake receive updates (adapters); they stop first, finishing the updates they hold.
	intake []component
	// workers are schedulers and queue workers; they stop after intake.
	workers []component
	// ready reports whether every part is ready (/readyz); a nil entry is skipped.
	ready []func(context.Context) error
}

// builders add each subsystem to parts when it is configured. They run in this order.
var builders = []func(ctx context.Context, m *Main, p *parts) error{
	buildNudge,
	buildTelegram,
	buildSlack,
	buildOutbox,
}

// readyTimeout bounds one /readyz check.
const readyTimeout = 2 * time.Second

// defaultMemoryLimit is serve's soft memory limit (the Go runtime's own memory, not the binary's mapped code)
// unless GOMEMLIMIT is set.
const defaultMemoryLimit = 40 << 20

// runServe runs every configured platform adapter, the schedulers and the HTTP server until ctx ends. Shutdown
// order: stop intake (HTTP server and adapters, finishing in-flight updates within the timeout), stop schedulers
// and workers, then close Redis.
func runServe(ctx context.Context, _ []string, stderr io.Writer, getenv func(string) string) error {
	cfg, err := configFromEnv(getenv)
	if err != nil {
		return err
	}
	if err := requireKeys(cfg); err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	if getenv("GOGC") == "" {
		// Measured (docs/telegram.md): at the default GOGC=100 the p99 at 1,000 updates/s is garbage collection
		// (5.4 ms median); 400 keeps it near 2.4 ms for a heap of tens of MB. GOGC in the environment wins.
		debug.SetGCPercent(400)
	}
	if getenv("GOMEMLIMIT") == "" {
		// GOGC=400 lets the heap grow to five times what is live: 100+ MB of RSS at 1,000 updates/s. A soft limit
		// makes the collector run sooner only when the heap nears it (BENCHMARKS.md). GOMEMLIMIT in the environment wins.
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	m, err := Open(ctx, cfg, log, nil)
	if err != nil {
		return err
	}
	defer m.Close()
	// A periodic job that no feature handles would fail at every tick (and an unhandled escalation job would mean
	// the safety net silently never runs): refuse to start, naming it.
	if err := checkJobs(m.Engine, cfg); err != nil {
		return err
	}
	// Start-up reads and checks every text, lesson and instrument: megabytes of garbage that GOGC=400 would keep
	// for a long time. Collect it and give the memory back before serving.
	debug.FreeOSMemory()
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if cfg.MetricsAddr != "" {
		if m.MetricsListener, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("listen on MENTORBOT_METRICS_ADDR: %w", err)
		}
	}
	return m.Serve(ctx, ln)
}

// Serve runs serve on listener ln (and m.MetricsListener, see httpServers) until ctx ends (tests call it directly).
func (m *Main) Serve(ctx context.Context, ln net.Listener) error {
	log := m.Log
	p := &parts{mux: http.NewServeMux()}
	p.ready = append(p.ready, m.Conn.Ready)
	for _, b := range builders {
		if err := b(ctx, m, p); err != nil {
			return err
		}
	}
	health := func(mux *http.ServeMux) {
		mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
		mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
			// A load balancer's probe gives up after a few seconds; a node that does not answer must not outlast it.
			ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
			defer cancel()
			for _, ready := range p.ready {
				if ready == nil {
					continue
				}
				if err := ready(ctx); err != nil {
					log.Warn("not ready", "err", err)
					http.Error(w, "not ready", http.StatusServiceUnavailable)
					return
				}
			}
			fmt.Fprintln(w, "ready")
		})
	}
	web, err := m.httpServers(ln, p.mux, health)
	if err != nil {
		return err
	}
	// Stop order: intake first (finishing the updates it holds), then the workers in the order the builders
	// listed them. They start in the reverse of it; one that fails to start stops those started before it.
	startOrder := append(slices.Clone(p.intake), p.workers...)
	slices.Reverse(startOrder)
	lc := &lifecycle{log: log}
	if err := lc.start(ctx, startOrder...); err != nil {
		return err
	}
	errc := make(chan error, 1)
	web.serve(errc)
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.Config.ShutdownTimeout)
	defer cancel()
	if err := web.shutdown(sctx); err != nil {
		log.Error("http shutdown", "err", err)
	}
	lc.stop(sctx)
	return runErr
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}
