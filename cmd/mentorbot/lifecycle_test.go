package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/m4pris/mentorbot/bot/redis/redistest"
)

// fakeComponent records its starts and stops in a shared log; it fails to start when told to.
type fakeComponent struct {
	name string
	fail bool
	log  *[]string
}

func (f *fakeComponent) Start(context.Context) error {
	if f.fail {
		*f.log = append(*f.log, "fail "+f.name)
		return errors.New(f.name + " cannot start")
	}
	*f.log = append(*f.log, "start "+f.name)
	return nil
}

func (f *fakeComponent) Stop(context.Context) error {
	*f.log = append(*f.log, "stop "+f.name)
	return nil
}

// TestLifecycleStopsWhatStartedWhenOneFails: components start in order and stop in the reverse; when one fails to
// start, the ones already started are stopped (last first) and the one that failed is not.
func TestLifecycleStopsWhatStartedWhenOneFails(t *testing.T) {
	var log []string
	a, b, c := &fakeComponent{name: "a", log: &log}, &fakeComponent{name: "b", log: &log}, &fakeComponent{name: "c", fail: true, log: &log}
	lc := &lifecycle{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := lc.start(context.Background(), a, b, c); err == nil || !strings.Contains(err.Error(), "c cannot start") {
		t.Fatalf("start: %v", err)
	}
	if want := []string{"start a", "start b", "fail c", "stop b", "stop a"}; !slices.Equal(log, want) {
		t.Fatalf("%q, want %q", log, want)
	}

	log = nil
	lc = &lifecycle{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := lc.start(context.Background(), a, b); err != nil {
		t.Fatal(err)
	}
	lc.stop(context.Background())
	if want := []string{"start a", "start b", "stop b", "stop a"}; !slices.Equal(log, want) {
		t.Fatalf("%q, want %q", log, want)
	}
}

// TestServeStopsStartedPartsWhenAnAdapterFails: an adapter that cannot start makes Serve return its error after
// stopping what it had started (the queue worker and the scheduler), in the reverse order.
func TestServeStopsStartedPartsWhenAnAdapterFails(t *testing.T) {
	redistest.Open(t, redistest.DBCmd)
	var log []string
	worker := &fakeComponent{name: "worker", log: &log}
	adapter := &fakeComponent{name: "adapter", fail: true, log: &log}
	saved := builders
	builders = []func(context.Context, *Main, *parts) error{func(_ context.Context, _ *Main, p *parts) error {
		p.workers = append(p.workers, worker)
		p.intake = append(p.intake, adapter)
		return nil
	}}
	t.Cleanup(func() { builders = saved })
	m := openMain(t, map[string]string{"REDIS_URL": redistest.URL(t, redistest.DBCmd), "MENTORBOT_LOG_LEVEL": "error"}, &syncBuffer{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := m.Serve(context.Background(), ln); err == nil || !strings.Contains(err.Error(), "adapter cannot start") {
		t.Fatalf("Serve: %v, want the adapter's error", err)
	}
	if want := []string{"start worker", "fail adapter", "stop worker"}; !slices.Equal(log, want) {
		t.Fatalf("%q, want %q", log, want)
	}
}
