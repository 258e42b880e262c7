package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Server is a redis-server process of the test's own, with its own data directory and AOF (appendfsync everysec,
// as production runs it), for restart and fault tests. It needs the redis-server binary (Debian's package; CI
// installs it).
type Server struct {
	tb   testing.TB
	Port int
	Dir  string
	// Args are more redis-server options, given at every start.
	Args []string
	cmd  *exec.Cmd
}

// StartServer starts a redis-server on a free port. Without the binary the test fails when REDIS_URL is set (CI
// must be able to run it) and is skipped otherwise, with the reason.
func StartServer(tb testing.TB) *Server {
	tb.Helper()
	return StartServerWith(tb)
}

// StartServerWith is StartServer with more redis-server options.
func StartServerWith(tb testing.TB, args ...string) *Server {
	tb.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if Real() {
			tb.Fatalf("redis-server not installed: %v", err)
		}
		tb.Skip("redis-server not installed (apt-get install redis-server); CI runs this test")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &Server{tb: tb, Port: port, Dir: tb.TempDir(), Args: args}
	s.Start()
	tb.Cleanup(func() { s.Kill() })
	return s
}

// URL is the server's redis:// URL (database 0).
func (s *Server) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", s.Port) }

// Addr is host:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.Port) }

// Start starts (or restarts) the process on the same port and data directory, and waits until it answers.
func (s *Server) Start() {
	s.tb.Helper()
	s.cmd = exec.Command("redis-server", append([]string{
		"--port", strconv.Itoa(s.Port), "--bind", "127.0.0.1", "--dir", s.Dir,
		"--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
		"--logfile", filepath.Join(s.Dir, "redis.log")}, s.Args...)...)
	if err := s.cmd.Start(); err != nil {
		s.tb.Fatalf("start redis-server: %v", err)
	}
	c := goredis.NewClient(&goredis.Options{Addr: s.Addr(), MaxRetries: -1})
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c.Ping(context.Background()).Err() == nil {
			return
		}
	}
	log, _ := os.ReadFile(filepath.Join(s.Dir, "redis.log"))
	s.tb.Fatalf("redis-server did not answer:\n%s", log)
}

// Stop shuts the server down cleanly (the AOF is flushed), as a restart or deploy would.
func (s *Server) Stop() {
	s.tb.Helper()
	c := goredis.NewClient(&goredis.Options{Addr: s.Addr(), MaxRetries: -1})
	defer c.Close()
	_ = c.Shutdown(context.Background()).Err() // the connection closes as the server exits
	s.wait()
}

// Kill stops the server abruptly (SIGKILL), as a crash would: writes of the last second may be lost.
func (s *Server) Kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	s.wait()
}

func (s *Server) wait() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Wait()
	s.cmd = nil
}
