package slackfake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Transport delivers what a user does to the bot, the way Slack would.
type Transport interface {
	Event(tb testing.TB, body json.RawMessage)
	Interaction(tb testing.TB, payload json.RawMessage)
	Command(tb testing.TB, form url.Values)
}

// Socket delivers through the Socket Mode connection and waits for each acknowledgement.
func (s *Server) Socket() Transport { return socketTransport{s} }

type socketTransport struct{ s *Server }

func (t socketTransport) Event(tb testing.TB, body json.RawMessage) {
	tb.Helper()
	t.s.WaitAck(tb, t.s.Send(tb, "events_api", body, 0))
}

func (t socketTransport) Interaction(tb testing.TB, payload json.RawMessage) {
	tb.Helper()
	t.s.WaitAck(tb, t.s.Send(tb, "interactive", payload, 0))
}

func (t socketTransport) Command(tb testing.TB, form url.Values) {
	tb.Helper()
	t.s.WaitAck(tb, t.s.Send(tb, "slash_commands", SlashJSON(form), 0))
}

// HTTP delivers signed requests to the bot's endpoints under base (its HTTP server) and expects 200 for each.
func HTTP(base, secret string) Transport {
	return httpTransport{base: strings.TrimSuffix(base, "/"), secret: secret}
}

type httpTransport struct{ base, secret string }

func (t httpTransport) Event(tb testing.TB, body json.RawMessage) {
	tb.Helper()
	t.post(tb, "/slack/events", "application/json", body)
}

func (t httpTransport) Interaction(tb testing.TB, payload json.RawMessage) {
	tb.Helper()
	t.post(tb, "/slack/interactivity", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(payload)}}.Encode()))
}

func (t httpTransport) Command(tb testing.TB, form url.Values) {
	tb.Helper()
	t.post(tb, "/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()))
}

func (t httpTransport) post(tb testing.TB, path, ctype string, body []byte) {
	tb.Helper()
	req := SignedRequest(tb, t.secret, t.base+path, ctype, body, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("slackfake: post %s: %v", path, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("slackfake: post %s: status %d", path, resp.StatusCode)
	}
}

// SignedRequest builds a request signed the way Slack signs them (v0 HMAC-SHA256 of "v0:timestamp:body").
func SignedRequest(tb testing.TB, secret, url, ctype string, body []byte, at time.Time) *http.Request {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", Sign(secret, ts, body))
	return req
}

// User is a person in the fake workspace talking to the bot in their DM.
type User struct {
	ID string
	S  *Server
	T  Transport
	// Channels the user is a member of, besides their DM with the bot.
	Channels []string
	// mark is the fake's change count when the user last did something; Expect and Press look only at messages
	// posted or updated after it.
	mark  int
	event int
}

// NewUser returns a user with id talking through t.
func (s *Server) NewUser(id string, t Transport) *User { return &User{ID: id, S: s, T: t} }

func (u *User) markNow() {
	u.S.mu.Lock()
	u.mark = u.S.seq
	u.S.mu.Unlock()
}

// Say sends text in the user's DM with the bot.
func (u *User) Say(tb testing.TB, text string) {
	tb.Helper()
	u.markNow()
	u.event++
	u.T.Event(tb, DirectMessage("Ev"+u.ID+strconv.Itoa(u.event), u.ID, text))
}

// Slash types "command text" in channel (the user's DM when channel is "").
func (u *User) Slash(tb testing.TB, channel, command, text string) {
	tb.Helper()
	if channel == "" {
		channel = DM(u.ID)
	}
	u.markNow()
	u.T.Command(tb, u.S.SlashCommand(u.ID, channel, command, text))
}

// Press presses the button labelled label on the newest message the user can see that has one, waiting for it
// among the messages since their last action, and returns the message the button was on.
func (u *User) Press(tb testing.TB, label string) Message {
	tb.Helper()
	var (
		m  Message
		b  Button
		ok bool
	)
	u.S.Wait(tb, u.ID+" to see a button "+strconv.Quote(label), func() bool {
		m, b, ok = u.S.findButton(u, label, u.mark)
		return ok
	})
	u.markNow()
	u.T.Interaction(tb, u.S.BlockActions(u.ID, m, b))
	return m
}

// Expect waits for a message to the user, newer than their last action, whose text contains want.
func (u *User) Expect(tb testing.TB, want string) Message {
	tb.Helper()
	var got Message
	u.S.Wait(tb, u.ID+" to get "+strconv.Quote(want), func() bool {
		u.S.mu.Lock()
		defer u.S.mu.Unlock()
		for _, m := range u.S.msgs {
			if m.seq > u.mark && u.sees(m) && strings.Contains(m.Body(), want) {
				got = *m
				return true
			}
		}
		return false
	})
	return got
}

func (u *User) sees(m *Message) bool {
	if m.Ephemeral {
		return m.User == u.ID
	}
	return m.Channel == DM(u.ID) || slices.Contains(u.Channels, m.Channel)
}

// findButton finds label on the newest message (posted or updated after change from) that user sees.
func (s *Server) findButton(u *User, label string, from int) (Message, Button, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var (
		best *Message
		btn  Button
	)
	for _, m := range s.msgs {
		if m.seq <= from || !u.sees(m) || (best != nil && m.seq < best.seq) {
			continue
		}
		for _, b := range m.Buttons() {
			if b.Label == label {
				best, btn = m, b
				break
			}
		}
	}
	if best == nil {
		return Message{}, Button{}, false
	}
	return *best, btn, true
}
