package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// buildBinary builds cmd/mentorbot the way CI and the Dockerfile do (static, trimmed, stripped) into dir.
func buildBinary(dir string) (string, error) {
	out := filepath.Join(dir, "mentorbot")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, "./cmd/mentorbot")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/mentorbot (run mentorload from the repository root, or pass -bin): %w", err)
	}
	return out, nil
}

// freeAddr returns a loopback address with a free port.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// child is the running `mentorbot serve`.
type child struct {
	cmd  *exec.Cmd
	base string // http://addr
	log  string // where its output goes
	done chan error
}

// startChild runs bin serve with env (and PATH, HOME and the Go runtime's variables from this environment),
// logging to logPath.
func startChild(bin string, env map[string]string) (*child, error) {
	logf, err := os.CreateTemp("", "mentorload-serve-*.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve")
	for _, k := range []string{"PATH", "HOME", "GOGC", "GOMEMLIMIT", "GODEBUG", "GOMAXPROCS"} {
		if v, ok := os.LookupEnv(k); ok {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	c := &child{cmd: cmd, base: "http://" + env["MENTORBOT_HTTP_ADDR"], log: logf.Name(), done: make(chan error, 1)}
	go func() {
		c.done <- cmd.Wait()
		logf.Close()
	}()
	return c, nil
}

// waitReady polls /readyz until it answers 200.
func (c *child) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-c.done:
			return fmt.Errorf("mentorbot serve exited: %v", err)
		default:
		}
		resp, err := http.Get(c.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("mentorbot serve not ready after %v", timeout)
}

// stop sends SIGTERM and waits for the graceful shutdown.
func (c *child) stop(timeout time.Duration) error {
	_ = c.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-c.done:
		return err
	case <-time.After(timeout):
		_ = c.cmd.Process.Kill()
		<-c.done
		return fmt.Errorf("mentorbot serve did not stop within %v; killed", timeout)
	}
}

// memory is the child's memory as the kernel counts it (kB).
type memory struct {
	RSS, HWM, Anon, File int64
}

func (c *child) memory() memory {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return memory{}
	}
	var m memory
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			m.RSS = n
		case "VmHWM":
			m.HWM = n
		case "RssAnon":
			m.Anon = n
		case "RssFile":
			m.File = n
		}
	}
	return m
}

// sample reads the child's memory every interval until the returned stop is called, which returns the sample
// with the highest RSS.
func (c *child) sample(interval time.Duration) (stop func() memory) {
	done := make(chan struct{})
	result := make(chan memory)
	go func() {
		var peak memory
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				if m := c.memory(); m.RSS > peak.RSS {
					peak = m
				}
				result <- peak
				return
			case <-t.C:
				if m := c.memory(); m.RSS > peak.RSS {
					peak = m
				}
			}
		}
	}()
	return func() memory {
		close(done)
		return <-result
	}
}

// cpu is the child's user+system CPU time so far.
func (c *child) cpu() time.Duration { return cpuOf(fmt.Sprintf("/proc/%d/stat", c.cmd.Process.Pid)) }

// cpuOf reads a process's user+system CPU time from its /proc stat file.
func cpuOf(stat string) time.Duration {
	b, err := os.ReadFile(stat)
	if err != nil {
		return 0
	}
	// Fields after the command name (which is in parentheses and may hold spaces): utime is the 14th field of the
	// line, stime the 15th, in clock ticks (100 a second on Linux).
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// metrics are samples from the child's /metrics, summed over labels per name, plus a few labelled ones.
type metrics map[string]float64

func (c *child) scrape(ctx context.Context) (metrics, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	m := metrics{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		series := line[:i]
		name, _, _ := strings.Cut(series, "{")
		m[name] += v
		if strings.HasPrefix(name, "mentorbot_") {
			m[series] += v
		}
	}
	return m, sc.Err()
}

// outcomes returns the telegram update counts by outcome between two scrapes.
func outcomes(before, after metrics) map[string]float64 {
	out := map[string]float64{}
	for k, v := range after {
		if !strings.HasPrefix(k, "mentorbot_updates_total{") || !strings.Contains(k, `platform="telegram"`) {
			continue
		}
		i := strings.Index(k, `outcome="`)
		if i < 0 {
			continue
		}
		o := k[i+len(`outcome="`):]
		o = o[:strings.IndexByte(o, '"')]
		out[o] += v - before[k]
	}
	return out
}

// engineQuantile is the upper bound of the mentorbot_update_seconds bucket (the engine's own time: load, flow,
// save) that holds quantile q of the telegram updates between two scrapes.
func engineQuantile(before, after metrics, q float64) string {
	type bucket struct{ le, n float64 }
	var bs []bucket
	for k, v := range after {
		if !strings.HasPrefix(k, "mentorbot_update_seconds_bucket{") || !strings.Contains(k, `platform="telegram"`) {
			continue
		}
		i := strings.Index(k, `le="`)
		if i < 0 {
			continue
		}
		le := k[i+len(`le="`):]
		le = le[:strings.IndexByte(le, '"')]
		f, err := strconv.ParseFloat(le, 64)
		if err != nil || math.IsInf(f, 0) {
			continue
		}
		bs = append(bs, bucket{f, v - before[k]})
	}
	if len(bs) == 0 {
		return "?"
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].le < bs[j].le })
	total := after["mentorbot_update_seconds_count"] - before["mentorbot_update_seconds_count"]
	for _, b := range bs {
		if b.n >= q*total {
			return fmt.Sprintf("≤ %g ms", b.le*1000)
		}
	}
	return fmt.Sprintf("> %g ms", bs[len(bs)-1].le*1000)
}

// machine is the whole machine's CPU time so far, from /proc/stat: busy (user, nice, system, irq, softirq) and
// steal (taken by the hypervisor), and how many CPUs.
type machine struct {
	busy, steal time.Duration
	cpus        int
}

func readMachine() machine {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machine{}
	}
	var m machine
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 9 || !strings.HasPrefix(f[0], "cpu") {
			continue
		}
		if f[0] != "cpu" {
			m.cpus++
			continue
		}
		tick := func(i int) time.Duration {
			n, _ := strconv.ParseInt(f[i], 10, 64)
			return time.Duration(n) * 10 * time.Millisecond
		}
		m.busy = tick(1) + tick(2) + tick(3) + tick(6) + tick(7)
		m.steal = tick(8)
	}
	return m
}

// byLabel returns the change of metric name between two scrapes per value of label.
func byLabel(before, after metrics, name, label string) map[string]float64 {
	out := map[string]float64{}
	for k, v := range after {
		if !strings.HasPrefix(k, name+"{") {
			continue
		}
		i := strings.Index(k, label+`="`)
		if i < 0 {
			continue
		}
		l := k[i+len(label)+2:]
		out[l[:strings.IndexByte(l, '"')]] += v - before[k]
	}
	return out
}
