package redistest

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Cluster is a Redis Cluster of the test's own: masters only (no replicas, so a master that dies takes its slots
// with it until it is back), each a Server with its own data directory, on free ports.
type Cluster struct {
	tb      testing.TB
	Masters []*Server
}

// StartCluster starts n masters and joins them into one cluster (redis-cli --cluster create), returning once the
// cluster state is ok.
func StartCluster(tb testing.TB, n int) *Cluster {
	tb.Helper()
	if _, err := exec.LookPath("redis-cli"); err != nil {
		if Real() {
			tb.Fatalf("redis-cli not installed: %v", err)
		}
		tb.Skip("redis-cli not installed (apt-get install redis-tools); CI runs this test")
	}
	c := &Cluster{tb: tb}
	args := []string{"--cluster", "create"}
	for range n {
		s := StartServerWith(tb, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000")
		c.Masters = append(c.Masters, s)
		args = append(args, s.Addr())
	}
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command("redis-cli", args...).CombinedOutput(); err != nil {
		tb.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	c.WaitState(true, 20*time.Second)
	return c
}

// URL is REDIS_URL for the cluster, as the README documents it.
func (c *Cluster) URL() string {
	u := "redis://" + c.Masters[0].Addr() + "/0?cluster=1"
	for _, s := range c.Masters[1:] {
		u += "&addr=" + s.Addr()
	}
	return u
}

// WaitState waits until every master that runs reports cluster_state ok (want) or until one reports it is not
// (not want), at most timeout.
func (c *Cluster) WaitState(want bool, timeout time.Duration) {
	c.tb.Helper()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ok := true
		for _, s := range c.Masters {
			if s.cmd == nil {
				continue
			}
			cl := goredis.NewClient(&goredis.Options{Addr: s.Addr(), MaxRetries: -1})
			info, err := cl.ClusterInfo(context.Background()).Result()
			cl.Close()
			if err != nil || !strings.Contains(info, "cluster_state:ok") {
				ok = false
			}
		}
		if ok == want {
			return
		}
	}
	c.tb.Fatalf("cluster state did not become ok=%v in %v", want, timeout)
}
