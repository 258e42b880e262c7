package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis/redistest"
)

// TestReadyzFollowsTheCluster: serve on a three-master Redis Cluster is ready while every master answers and the
// cluster state is ok; with one master killed, /readyz answers 503 (PING would still answer on the others, and
// every update whose user lives on the dead master would fail); with it back, 200 again.
func TestReadyzFollowsTheCluster(t *testing.T) {
	cl := redistest.StartCluster(t, 3)
	s := startServe(t, map[string]string{"REDIS_URL": cl.URL(), "MENTORBOT_LOG_LEVEL": "error"})
	waitStatus := func(want int, what string) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if s.status("/readyz") == want {
				return
			}
		}
		t.Fatalf("%s: /readyz never answered %d", what, want)
	}
	waitStatus(http.StatusOK, "cluster up")
	cl.Masters[1].Kill()
	waitStatus(http.StatusServiceUnavailable, "a master killed")
	cl.Masters[1].Start()
	cl.WaitState(true, 30*time.Second)
	waitStatus(http.StatusOK, "the master back")
}
