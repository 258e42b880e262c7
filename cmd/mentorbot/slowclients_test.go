package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/bot/slack"
	"github.com/m4pris/mentorbot/bot/slack/slackfake"
	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
)

// slowKind is one way a client can hold a connection while sending almost nothing.
type slowKind int

const (
	slowHeaders      slowKind = iota // the request's headers, one byte a tick
	slowBodySecret                   // Telegram webhook with the right secret, the body one byte a tick
	slowBodyNoSecret                 // Telegram webhook without the secret, the body one byte a tick
	slowSlackBody                    // Slack's events endpoint, the body one byte a tick (the signature covers it)
	idleKeepAlive                    // one GET /healthz, then nothing on the kept-alive connection
	slowKinds
)

func (k slowKind) String() string {
	return [...]string{"slow headers", "slow body (secret)", "slow body (no secret)", "slow body (slack)", "idle keep-alive"}[k]
}

// slowAttack holds perKind connections of every slowKind open against one server and records when the server
// closed each and what it answered before closing.
type slowAttack struct {
	start  time.Time
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	conns  []net.Conn
	cut    [slowKinds][]time.Duration // since start, one per connection the server closed
	status [slowKinds][]int           // the status answered before the close (0: none)
	left   int                        // connections not yet closed by the server
	done   chan struct{}              // closed when left reaches 0
}

// startSlowAttack opens the connections against addr (host:port) and returns once every one has sent its first
// bytes (an idle one: once its first request was answered). hook and secret are the Telegram webhook's path and
// secret. Each connection trickles one byte every tick until the server closes it; the attack is stopped when the
// test ends.
func startSlowAttack(tb testing.TB, addr, hook, secret string, perKind int, tick time.Duration) *slowAttack {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a := &slowAttack{start: time.Now(), cancel: cancel, left: perKind * int(slowKinds), done: make(chan struct{})}
	tb.Cleanup(a.stop)
	ready := make(chan error, a.left)
	for k := range slowKinds {
		for range perKind {
			a.wg.Add(1)
			go func() {
				defer a.wg.Done()
				a.run(ctx, k, addr, hook, secret, tick, ready)
			}()
		}
	}
	for range a.left {
		if err := <-ready; err != nil {
			tb.Fatalf("slow client: %v", err)
		}
	}
	return a
}

func (a *slowAttack) run(ctx context.Context, k slowKind, addr, hook, secret string, tick time.Duration, ready chan<- error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		ready <- err
		return
	}
	a.mu.Lock()
	a.conns = append(a.conns, c)
	a.mu.Unlock()
	br := bufio.NewReader(c)
	const bodyLen = 4096
	var first string
	switch k {
	case slowHeaders:
		first = "POST " + hook + " HTTP/1.1\r\nHost: bot\r\nX-Pad: "
	case slowBodySecret, slowBodyNoSecret:
		first = "POST " + hook + " HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
		if k == slowBodySecret {
			first += "X-Telegram-Bot-Api-Secret-Token: " + secret + "\r\n"
		}
		first += fmt.Sprintf("Content-Length: %d\r\n\r\n{", bodyLen)
	case slowSlackBody:
		first = fmt.Sprintf("POST %s HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"+
			"X-Slack-Request-Timestamp: %d\r\nX-Slack-Signature: v0=00\r\nContent-Length: %d\r\n\r\n{",
			slack.PathEvents, time.Now().Unix(), bodyLen)
	case idleKeepAlive:
		first = "GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\n"
	}
	if _, err := io.WriteString(c, first); err != nil {
		ready <- err
		return
	}
	if k == idleKeepAlive {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			ready <- fmt.Errorf("idle client's first request: %w", err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	ready <- nil
	closed := make(chan struct{})
	go func() { // the trickle: one byte a tick until the server closes the connection or the attack stops
		t := time.NewTicker(tick)
		defer t.Stop()
		for k != idleKeepAlive {
			select {
			case <-ctx.Done():
				return
			case <-closed:
				return
			case <-t.C:
				if _, err := c.Write([]byte("a")); err != nil {
					return
				}
			}
		}
	}()
	status := 0
	if k == idleKeepAlive {
		_, err = br.ReadByte() // nothing is asked, so nothing may come before the close
	} else {
		var resp *http.Response
		if resp, err = http.ReadResponse(br, nil); err == nil {
			status = resp.StatusCode
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err == nil {
				_, err = br.ReadByte() // then the close
			}
		}
	}
	close(closed)
	if ctx.Err() != nil {
		return // stopped by the attack, not by the server
	}
	_ = err // EOF or a reset: either way the server let go
	a.mu.Lock()
	defer a.mu.Unlock()
	a.cut[k] = append(a.cut[k], time.Since(a.start))
	a.status[k] = append(a.status[k], status)
	if a.left--; a.left == 0 {
		close(a.done)
	}
}

// wait waits until the server closed every connection or timeout passed, and says whether it did.
func (a *slowAttack) wait(timeout time.Duration) bool {
	select {
	case <-a.done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// open is the number of connections the server has not closed.
func (a *slowAttack) open() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.left
}

// report is one line per kind: how many the server closed, when (median and last, since the attack started), and
// the statuses it answered.
func (a *slowAttack) report(perKind int) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var b strings.Builder
	for k := range slowKinds {
		cut := slices.Clone(a.cut[k])
		slices.Sort(cut)
		fmt.Fprintf(&b, "%-22s %3d/%d closed", k, len(cut), perKind)
		if len(cut) > 0 {
			fmt.Fprintf(&b, ", median %.1fs, last %.1fs", cut[len(cut)/2].Seconds(), cut[len(cut)-1].Seconds())
		}
		counts := map[int]int{}
		for _, s := range a.status[k] {
			counts[s]++
		}
		fmt.Fprintf(&b, ", answered %v\n", counts)
	}
	return b.String()
}

// maxCut is when the server closed the last connection it closed, since the attack started.
func (a *slowAttack) maxCut() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	var m time.Duration
	for _, cut := range a.cut {
		for _, d := range cut {
			m = max(m, d)
		}
	}
	return m
}

func (a *slowAttack) stop() {
	a.cancel()
	a.mu.Lock()
	for _, c := range a.conns {
		c.Close()
	}
	a.mu.Unlock()
	a.wg.Wait()
}

// timeGET is how long GET url took on a new connection, and its status (0 when it failed).
func timeGET(url string) (time.Duration, int) {
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Minute}
	t0 := time.Now()
	resp, err := c.Get(url)
	if err != nil {
		return time.Since(t0), 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return time.Since(t0), resp.StatusCode
}

// timeDo is how long req took on a new connection, and its status (0 when it failed).
func timeDo(req *http.Request) (time.Duration, int) {
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Minute}
	t0 := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return time.Since(t0), 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return time.Since(t0), resp.StatusCode
}

// shortHTTP shortens serve's HTTP time limits so that a test sees slow clients cut within seconds; the sizes and
// bounds stay as in production.
func shortHTTP(m *Main) {
	m.Config.HTTP.ReadHeader, m.Config.HTTP.Body, m.Config.HTTP.Read, m.Config.HTTP.Idle = time.Second, time.Second, 3*time.Second, time.Second
}

// TestSlowClients holds 300 slow connections against serve (60 each: slow headers, slow webhook body with and
// without the secret, slow Slack body, idle keep-alive). While they are open, /healthz and a valid Telegram and
// Slack delivery are answered, and the delivery is handled; then the server closes every slow connection (the
// slow bodies with 408) and none of them reached the engine. BenchmarkSlowClients takes the same figures with the
// production limits.
func TestSlowClients(t *testing.T) {
	redistest.Open(t, redistest.DBSpare1)
	api := telegramtest.New(t)
	fake := slackfake.New(t)
	const secret, slackSecret = "slow-Secret_1", "slow-slack-secret"
	vars := telegramEnv(redistest.URL(t, redistest.DBSpare1), api, secret)
	vars["SLACK_BOT_TOKEN"], vars["SLACK_SIGNING_SECRET"], vars["SLACK_API_URL"] = "xoxb-test", slackSecret, fake.APIURL()
	vars["SLACK_MIN_INTERVAL"] = "0"
	s := startServe(t, vars, shortHTTP)
	const perKind = 60
	a := startSlowAttack(t, strings.TrimPrefix(s.Base, "http://"), strings.TrimPrefix(s.Hook, s.Base), secret, perKind, 300*time.Millisecond)

	var healthz []time.Duration
	for range 5 {
		d, code := timeGET(s.Base + "/healthz")
		if code != http.StatusOK {
			t.Errorf("/healthz during the attack: %d", code)
		}
		healthz = append(healthz, d)
	}
	user := telegramtest.User{ID: 750000001, FirstName: "Valid", Lang: "en"}
	body, _ := json.Marshal(telegramtest.Message(api.NextUpdateID(), user, "/start"))
	req, _ := http.NewRequest(http.MethodPost, s.Hook, bytes.NewReader(body))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	tg, code := timeDo(req)
	if code != http.StatusOK {
		t.Errorf("telegram delivery during the attack: %d", code)
	}
	ev := slackfake.DirectMessage("EvSlowValid1", "USLOW1", "hello")
	sl, code := timeDo(slackfake.SignedRequest(t, slackSecret, s.Base+slack.PathEvents, "application/json", ev, time.Now()))
	if code != http.StatusOK {
		t.Errorf("slack delivery during the attack: %d", code)
	}
	stillOpen := a.open()
	if !a.wait(30 * time.Second) {
		t.Errorf("%d slow connections still open 30 s after the attack began", a.open())
	}
	t.Logf("%d slow connections (%d open while /healthz, telegram and slack were asked); /healthz %v; telegram %v; slack %v\n%s",
		perKind*int(slowKinds), stillOpen, healthz, tg, sl, a.report(perKind))

	// The valid deliveries were handled and answered; nothing of the slow ones reached the engine.
	api.Wait(t, 5*time.Second, "the answer to the valid delivery", func() bool { return len(api.Messages(user.ID)) >= 1 })
	fake.Wait(t, "the answer to the valid Slack event", func() bool { return len(fake.Messages(slackfake.DM("USLOW1"))) >= 1 })
	for _, p := range []string{"telegram", "slack"} {
		if n := updatesTotal(s.Main, p, ""); n != 1 {
			t.Errorf("%s: %d updates handled, want the valid one", p, n)
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, k := range []slowKind{slowBodySecret, slowBodyNoSecret, slowSlackBody} {
		for _, st := range a.status[k] {
			if st != http.StatusRequestTimeout {
				t.Errorf("%s: answered %d, want 408", k, st)
				break
			}
		}
	}
	if n := counterSum(s.Main, "mentorbot_http_refused_total", map[string]string{"reason": "slow"}); n != 3*perKind {
		t.Errorf("mentorbot_http_refused_total{reason=slow} = %v, want %d", n, 3*perKind)
	}
}

// slowRequest sends head (request line and headers, without the blank line) with a body of 4,096 bytes announced
// and trickles that body one byte every 200 ms until the server answers; it returns the status (0: closed without
// one, or nothing within 30 s: a server without a body deadline would take 14 minutes).
func slowRequest(tb testing.TB, base, head string) int {
	tb.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(c, head+"Content-Length: 4096\r\n\r\n{"); err != nil {
		tb.Fatal(err)
	}
	answered := make(chan struct{})
	go func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-answered:
				return
			case <-t.C:
				if _, err := c.Write([]byte("a")); err != nil {
					return
				}
			}
		}
	}()
	defer close(answered)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
