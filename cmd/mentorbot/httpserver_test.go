package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis/redistest"
)

// limitedServer serves h behind limitRoute (route "test", bodies up to 16 bytes, two requests at once) on a real
// HTTP server with serve's limits, so deadlines apply as in production.
func limitedServer(t *testing.T, h http.Handler) (*httptest.Server, *Main) {
	t.Helper()
	m := &Main{Config: Config{HTTP: defaultHTTPLimits()}, Metrics: newMetrics()}
	m.Config.HTTP.InFlight, m.Config.HTTP.Body = 2, 500*time.Millisecond
	srv := httptest.NewUnstartedServer(m.limitRoute("test", 16, h))
	srv.Config.ReadHeaderTimeout = time.Second
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, m
}

// TestLimitRouteInFlight: with two requests being handled, a third is answered 503 with Retry-After without
// reaching the handler; once one finishes, the next is handled again.
func TestLimitRouteInFlight(t *testing.T) {
	entered, release := make(chan string, 3), make(chan struct{})
	srv, m := limitedServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		entered <- string(b)
		<-release
	}))
	post := func(body string) (*http.Response, error) {
		return http.Post(srv.URL, "text/plain", strings.NewReader(body))
	}
	done := make(chan error, 2)
	for _, b := range []string{"one", "two"} {
		go func() {
			resp, err := post(b)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("%s: %s", b, resp.Status)
				}
			}
			done <- err
		}()
	}
	got := []string{<-entered, <-entered} // both are being handled now
	resp, err := post("three")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("third request: %s, Retry-After %q; want 503 with Retry-After 2", resp.Status, resp.Header.Get("Retry-After"))
	}
	close(release)
	for range 2 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	resp, err = post("four")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got = append(got, <-entered)
	if resp.StatusCode != http.StatusOK || len(got) != 3 || got[2] != "four" {
		t.Errorf("after the first two: %s, handled %v", resp.Status, got)
	}
	if n := counterSum(m, "mentorbot_http_refused_total", map[string]string{"route": "test", "reason": "busy"}); n != 1 {
		t.Errorf("refused busy: %v, want 1", n)
	}
}

// TestLimitRouteBody: the handler gets the whole body; a body over the limit (declared or chunked) is 413 and a
// body that does not arrive in time is 408 with the connection closed, neither reaching the handler.
func TestLimitRouteBody(t *testing.T) {
	var (
		mu      sync.Mutex
		handled []string
	)
	srv, m := limitedServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		handled = append(handled, string(b))
	}))
	for _, c := range []struct {
		name string
		body io.Reader
		want int
	}{
		{"16 bytes", strings.NewReader("0123456789abcdef"), http.StatusOK},
		{"17 bytes", strings.NewReader("0123456789abcdefg"), http.StatusRequestEntityTooLarge},
		{"17 bytes chunked", io.MultiReader(strings.NewReader("0123456789abcdefg")), http.StatusRequestEntityTooLarge},
	} {
		resp, err := http.Post(srv.URL, "text/plain", c.body)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: %s, want %d", c.name, resp.Status, c.want)
		}
	}
	// Headers at once, then one byte of the ten announced: cut at the body deadline.
	c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprint(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nx")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("slow body: %s, want 408", resp.Status)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("slow body: the connection stayed open (%v)", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(handled) != 1 || handled[0] != "0123456789abcdef" {
		t.Errorf("handled %q, want the 16-byte body only", handled)
	}
	for reason, want := range map[string]float64{"too_large": 2, "slow": 1} {
		if n := counterSum(m, "mentorbot_http_refused_total", map[string]string{"reason": reason}); n != want {
			t.Errorf("refused %s: %v, want %v", reason, n, want)
		}
	}
}

// TestCapListener: with two connections held, a third is answered 503 and closed; when one is closed, a new one
// is accepted again.
func TestCapListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var refused atomic.Int32
	cl := newCapListener(ln, 2, func() { refused.Add(1) })
	t.Cleanup(func() { cl.Close() })
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := cl.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	dial()
	dial()
	first, _ := <-accepted, <-accepted
	over := dial()
	b, err := io.ReadAll(over) // the answer, then the close
	if err != nil || string(b) != busyResponse {
		t.Errorf("third connection got %q (%v), want the 503 and a close", b, err)
	}
	first.Close()
	dial()
	c := <-accepted // the accept loop handed over a new connection: the slot was given back
	c.Close()
	if n := refused.Load(); n != 1 {
		t.Errorf("refused %d connections, want 1", n)
	}
}

func TestMaxConns(t *testing.T) {
	for _, c := range []struct{ configured, files, want int }{
		{0, 0, 4096},          // file limit unknown
		{0, 20000, 4096},      // the default fits
		{0, 1024, 768},        // a small limit keeps 256 for Redis and the APIs
		{50000, 20000, 17500}, // configured above the limit: an eighth kept back
		{100, 20000, 100},
		{0, 100, 16}, // a limit too small to keep a reserve still serves
	} {
		if got := maxConns(c.configured, c.files); got != c.want {
			t.Errorf("maxConns(%d, %d) = %d, want %d", c.configured, c.files, got, c.want)
		}
	}
}

func TestHTTPConfig(t *testing.T) {
	for name, e := range map[string]map[string]string{
		"metrics on the public address": {"MENTORBOT_HTTP_ADDR": ":9000", "MENTORBOT_METRICS_ADDR": ":9000"},
		"max conns not a number":        {"MENTORBOT_HTTP_MAX_CONNS": "many"},
		"max conns too small":           {"MENTORBOT_HTTP_MAX_CONNS": "3"},
	} {
		if _, err := configFromEnv(env(e)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c, err := configFromEnv(env(map[string]string{"MENTORBOT_METRICS_ADDR": "127.0.0.1:9090", "MENTORBOT_HTTP_MAX_CONNS": "500"}))
	if err != nil || c.MetricsAddr != "127.0.0.1:9090" || c.HTTP.MaxConns != 500 || c.HTTP.ReadHeader != 5*time.Second {
		t.Fatalf("config: %+v %v", c.HTTP, err)
	}
}

// TestMetricsListener: with a metrics listener, /metrics is served there and not on the public port; both answer
// /healthz and /readyz.
func TestMetricsListener(t *testing.T) {
	redistest.Open(t, redistest.DBCmd)
	mln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := startServe(t, map[string]string{"REDIS_URL": redistest.URL(t, redistest.DBCmd), "MENTORBOT_LOG_LEVEL": "error"},
		func(m *Main) { m.MetricsListener = mln })
	private := "http://" + mln.Addr().String()
	for _, c := range []struct {
		url  string
		want int
	}{
		{s.Base + "/metrics", http.StatusNotFound},
		{private + "/metrics", http.StatusOK},
		{s.Base + "/healthz", http.StatusOK},
		{private + "/healthz", http.StatusOK},
		{s.Base + "/readyz", http.StatusOK},
		{private + "/readyz", http.StatusOK},
	} {
		if _, code := timeGET(c.url); code != c.want {
			t.Errorf("GET %s: %d, want %d", c.url, code, c.want)
		}
	}
}
