package redis_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
)

// TestReadyThroughSentinel: with REDIS_URL naming Sentinels, the store is ready while the master they name answers,
// and not while it is down (no failover here: no replica to promote).
func TestReadyThroughSentinel(t *testing.T) {
	master := redistest.StartServer(t)
	sentinel := startSentinel(t, master.Addr())
	ctx := context.Background()
	conn, err := redis.Open(ctx, fmt.Sprintf("redis://%s/0?sentinel_master=mb", sentinel), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ready := func() error {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		return conn.Ready(ctx)
	}
	if err := ready(); err != nil {
		t.Fatalf("master up: %v", err)
	}
	master.Kill()
	if err := ready(); err == nil {
		t.Fatal("ready with the master down")
	}
	master.Start()
	for deadline := time.Now().Add(10 * time.Second); ready() != nil; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not ready with the master back: %v", ready())
		}
	}
}

// startSentinel runs a Sentinel (redis-server --sentinel) watching the master at addr as "mb", and returns its
// address.
func startSentinel(t *testing.T, master string) string {
	t.Helper()
	host, port, _ := net.SplitHostPort(master)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, sport, _ := net.SplitHostPort(addr)
	dir := t.TempDir()
	conf := filepath.Join(dir, "sentinel.conf")
	body := fmt.Sprintf("port %s\nbind 127.0.0.1\ndir %s\nsentinel monitor mb %s %s 1\nsentinel down-after-milliseconds mb 1000\n", sport, dir, host, port)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("redis-server", conf, "--sentinel", "--logfile", filepath.Join(dir, "sentinel.log"))
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sentinel: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	c := goredis.NewSentinelClient(&goredis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, err := c.GetMasterAddrByName(context.Background(), "mb").Result(); err == nil {
			return addr
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "sentinel.log"))
	t.Fatalf("sentinel did not name the master:\n%s", log)
	return ""
}
