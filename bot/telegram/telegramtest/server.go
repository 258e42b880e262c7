// Package telegramtest is a fake Telegram Bot API for tests: an httptest server that parses the JSON and
// multipart requests go-telegram/bot sends, checks them as Telegram would (HTML entities, message length,
// keyboard buttons), records every call, serves getUpdates from a queue, and injects faults (429 with
// retry_after, 5xx, 403, dropped connections).
package telegramtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Token is the bot token the fake accepts.
const Token = "123456:TEST-fake-token"

// BotID is the fake bot's user id.
const BotID = 123456

// Call is one Bot API request as the fake saw it.
type Call struct {
	Method string
	At     time.Time
	// Client is the request's X-Test-Client header: tests running several replicas tag each one's requests.
	Client string
	// Status is the error_code answered (200 for success).
	Status int
	// Fields are the request parameters as strings (JSON-encoded for objects).
	Fields map[string]string

	Chat      int64
	Text      string // as sent (HTML for parse_mode HTML)
	Plain     string // Text with HTML entities decoded
	Keyboard  [][]Button
	MessageID int // sendMessage/sendDocument: the id given; editMessageReplyMarkup: the message edited
	Callback  string
	Document  []byte
	FileName  string
}

// Button is one inline keyboard button.
type Button struct {
	Text string `json:"text"`
	Data string `json:"callback_data"`
}

// Fault is an injected failure for one call.
type Fault struct {
	// Code is the error_code: 429, 500, 403, 400… Drop (-1) closes the connection without an answer.
	Code        int
	RetryAfter  int
	Description string
}

// Drop is a Fault code that closes the connection (a network error).
const Drop = -1

// Server is the fake Bot API.
type Server struct {
	URL string
	srv *httptest.Server

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every change
	calls    []Call
	nextMsg  int
	nextUpd  int64
	faults   map[string][]Fault
	blocked  map[int64]bool
	keyboard map[int][][]Button // current keyboard of each message sent
	msgChat  map[int]int64

	updates    []pending
	confirmed  int64
	polling    int
	maxPolling int

	limits *enforcer

	webhookURL, webhookSecret string
	commands                  map[string]string // language code → commands JSON
	descriptions, shorts      map[string]string
}

type pending struct {
	id  int64
	raw json.RawMessage
}

// New starts a fake Bot API, closed when the test ends.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{
		changed: make(chan struct{}), faults: map[string][]Fault{}, blocked: map[int64]bool{},
		keyboard: map[int][][]Button{}, msgChat: map[int]int64{}, nextUpd: 1000,
		commands: map[string]string{}, descriptions: map[string]string{}, shorts: map[string]string{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	tb.Cleanup(s.srv.Close)
	return s
}

// Limits are the rates the fake enforces (see Enforce).
type Limits struct {
	// PerSecond is the overall rate of messages, across all chats, with bursts of up to Burst beyond the even
	// schedule. Burst 0 means a tenth of a second's worth (3 at Telegram's 30 a second): scaled up with the rate,
	// as tests scale the rate up to stay short.
	PerSecond int
	Burst     int
	// ChatPerSecond is the rate in one chat, with bursts of up to ChatBurst messages (Telegram: "avoid sending
	// more than one message per second in a particular chat; we may allow short bursts").
	ChatPerSecond float64
	ChatBurst     int
}

// Enforce makes the fake answer 429 (retry_after 1) to sendMessage and sendDocument that come ahead of l's
// schedules: the overall one and the chat's, each a GCRA bucket (a message may arrive at most burst-1 intervals
// ahead of the even schedule). Refused calls do not count. RateLimited counts the refusals.
func (s *Server) Enforce(l Limits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.Burst <= 0 {
		l.Burst = max(1, l.PerSecond/10)
	}
	s.limits = &enforcer{
		all:   gcra{every: time.Duration(float64(time.Second) / float64(l.PerSecond)), burst: l.Burst},
		chat:  gcra{every: time.Duration(float64(time.Second) / l.ChatPerSecond), burst: max(1, l.ChatBurst)},
		chats: map[int64]time.Time{},
	}
}

// RateLimited is how many calls the enforced limits refused.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limits == nil {
		return 0
	}
	return s.limits.refused
}

// enforcer holds the enforced limits' state; the server's mutex guards it.
type enforcer struct {
	all, chat gcra
	tat       time.Time           // the overall theoretical arrival time
	chats     map[int64]time.Time // each chat's
	refused   int
}

type gcra struct {
	every time.Duration
	burst int
}

// admit reports whether a message arriving at now conforms to g given the bucket's tat, and the new tat.
func (g gcra) admit(tat, now time.Time) (time.Time, bool) {
	if tat.Before(now) {
		tat = now
	}
	if now.Before(tat.Add(-time.Duration(g.burst-1) * g.every)) {
		return tat, false
	}
	return tat.Add(g.every), true
}

func (e *enforcer) allow(now time.Time, chat int64) bool {
	all, ok1 := e.all.admit(e.tat, now)
	one, ok2 := e.chat.admit(e.chats[chat], now)
	if !ok1 || !ok2 {
		e.refused++
		return false
	}
	e.tat, e.chats[chat] = all, one
	return true
}

// Fail makes the next calls of method answer with faults, one per call, in order.
func (s *Server) Fail(method string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], faults...)
}

// Block makes chat answer 403 "bot was blocked by the user".
func (s *Server) Block(chat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[chat] = true
}

// Calls returns every call so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Messages returns the messages and documents delivered to chat, in order.
func (s *Server) Messages(chat int64) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Status == 200 && c.Chat == chat && (c.Method == "sendMessage" || c.Method == "sendDocument") {
			out = append(out, c)
		}
	}
	return out
}

// Sent counts the messages and documents delivered to any chat.
func (s *Server) Sent() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Status == 200 && (c.Method == "sendMessage" || c.Method == "sendDocument") {
			n++
		}
	}
	return n
}

// Keyboard returns the keyboard message id shows now (nil once removed).
func (s *Server) Keyboard(id int) [][]Button {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keyboard[id]
}

// Webhook returns the URL and secret set with setWebhook (empty after deleteWebhook).
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookURL, s.webhookSecret
}

// Commands returns the command menu set for a language code ("" is the default), as "cmd – description" lines.
func (s *Server) Commands(lang string) []string {
	s.mu.Lock()
	raw := s.commands[lang]
	s.mu.Unlock()
	var cmds []struct{ Command, Description string }
	_ = json.Unmarshal([]byte(raw), &cmds)
	var out []string
	for _, c := range cmds {
		out = append(out, c.Command+" – "+c.Description)
	}
	return out
}

// Description returns the description and short description set for a language code.
func (s *Server) Description(lang string) (long, short string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.descriptions[lang], s.shorts[lang]
}

// Push queues updates for getUpdates. Each gets the next update_id unless it has one.
func (s *Server) Push(updates ...map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range updates {
		id, ok := u["update_id"].(int64)
		if !ok {
			s.nextUpd++
			id = s.nextUpd
			u["update_id"] = id
		}
		raw, _ := json.Marshal(u)
		s.updates = append(s.updates, pending{id: id, raw: raw})
	}
	s.notify()
}

// NextUpdateID hands out update ids in increasing order.
func (s *Server) NextUpdateID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextUpd++
	return s.nextUpd
}

// Confirmed is the highest update id a getUpdates offset confirmed.
func (s *Server) Confirmed() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.confirmed
}

// MaxConcurrentPolls is the most getUpdates requests that were ever in flight at once.
func (s *Server) MaxConcurrentPolls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxPolling
}

// Wait polls cond (called with the server unlocked) until it holds, failing the test after timeout.
func (s *Server) Wait(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	if !s.waitFor(timeout, cond) {
		tb.Fatalf("telegramtest: timed out after %v waiting for %s", timeout, what)
	}
}

// waitFor polls cond until it holds (true) or timeout passes (false). It wakes on every call the fake sees.
func (s *Server) waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return true
		}
		select {
		case <-ch:
		case <-time.After(50 * time.Millisecond):
		case <-deadline.C:
			return cond()
		}
	}
}

// notify wakes waiters; s.mu is held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot"+Token+"/")
	if !ok {
		answer(w, 401, "Unauthorized", nil)
		return
	}
	method := rest
	fields, files, err := parseRequest(r)
	if err != nil {
		answer(w, 400, "Bad Request: "+err.Error(), nil)
		return
	}
	c := Call{Method: method, At: time.Now(), Fields: fields, Client: r.Header.Get("X-Test-Client")}
	c.Chat, _ = strconv.ParseInt(fields["chat_id"], 10, 64)
	s.mu.Lock()
	c.At = time.Now() // in the order the fake serves calls, which the enforced limits need
	if f := s.faults[method]; len(f) > 0 {
		fault := f[0]
		s.faults[method] = f[1:]
		c.Status = fault.Code
		s.calls = append(s.calls, c)
		s.notify()
		s.mu.Unlock()
		if fault.Code == Drop {
			dropConnection(w)
			return
		}
		desc := fault.Description
		if desc == "" {
			desc = http.StatusText(fault.Code)
		}
		var params map[string]any
		if fault.RetryAfter > 0 {
			desc = "Too Many Requests: retry after " + strconv.Itoa(fault.RetryAfter)
			params = map[string]any{"retry_after": fault.RetryAfter}
		}
		answer(w, fault.Code, desc, params)
		return
	}
	if method == "getUpdates" {
		s.mu.Unlock()
		s.getUpdates(w, r, c)
		return
	}
	if s.limits != nil && (method == "sendMessage" || method == "sendDocument") && !s.limits.allow(c.At, c.Chat) {
		c.Status = 429
		s.calls = append(s.calls, c)
		s.notify()
		s.mu.Unlock()
		answer(w, 429, "Too Many Requests: retry after 1", map[string]any{"retry_after": 1})
		return
	}
	status, desc, result := s.apply(&c, files)
	c.Status = status
	s.calls = append(s.calls, c)
	s.notify()
	s.mu.Unlock()
	if status != 200 {
		answer(w, status, desc, nil)
		return
	}
	writeJSON(w, 200, map[string]any{"ok": true, "result": result})
}

// apply carries out a call; s.mu is held.
func (s *Server) apply(c *Call, files map[string]file) (int, string, any) {
	f := c.Fields
	switch c.Method {
	case "getMe":
		return 200, "", map[string]any{"id": BotID, "is_bot": true, "first_name": "mentorbot", "username": "mentorbot_test_bot"}
	case "setWebhook":
		s.webhookURL, s.webhookSecret = f["url"], f["secret_token"]
		return 200, "", true
	case "deleteWebhook":
		s.webhookURL, s.webhookSecret = "", ""
		return 200, "", true
	case "setMyCommands":
		s.commands[f["language_code"]] = f["commands"]
		return 200, "", true
	case "setMyDescription":
		s.descriptions[f["language_code"]] = f["description"]
		return 200, "", true
	case "setMyShortDescription":
		s.shorts[f["language_code"]] = f["short_description"]
		return 200, "", true
	case "answerCallbackQuery":
		c.Callback = f["callback_query_id"]
		if c.Callback == "" {
			return 400, "Bad Request: query is too old and response timeout expired or query ID is invalid", nil
		}
		return 200, "", true
	case "editMessageReplyMarkup":
		c.MessageID, _ = strconv.Atoi(f["message_id"])
		if s.msgChat[c.MessageID] != c.Chat || c.Chat == 0 {
			return 400, "Bad Request: message to edit not found", nil
		}
		kb, err := parseKeyboard(f["reply_markup"])
		if err != nil {
			return 400, "Bad Request: " + err.Error(), nil
		}
		if fmt.Sprint(kb) == fmt.Sprint(s.keyboard[c.MessageID]) {
			return 400, "Bad Request: message is not modified", nil
		}
		s.keyboard[c.MessageID] = kb
		// For a chat message (not an inline one) Telegram answers with the edited message.
		return 200, "", map[string]any{
			"message_id": c.MessageID, "date": time.Now().Unix(), "chat": map[string]any{"id": c.Chat, "type": "private"},
		}
	case "sendMessage", "sendDocument":
		if c.Chat == 0 {
			return 400, "Bad Request: chat not found", nil
		}
		if s.blocked[c.Chat] {
			return 403, "Forbidden: bot was blocked by the user", nil
		}
		kb, err := parseKeyboard(f["reply_markup"])
		if err != nil {
			return 400, "Bad Request: " + err.Error(), nil
		}
		c.Keyboard = kb
		if c.Method == "sendMessage" {
			c.Text = f["text"]
			plain, err := checkText(c.Text, f["parse_mode"])
			if err != nil {
				return 400, "Bad Request: " + err.Error(), nil
			}
			c.Plain = plain
		} else {
			doc, ok := files["document"]
			if !ok {
				return 400, "Bad Request: there is no document in the request", nil
			}
			c.Document, c.FileName = doc.data, doc.name
		}
		s.nextMsg++
		c.MessageID = s.nextMsg
		s.keyboard[c.MessageID] = kb
		s.msgChat[c.MessageID] = c.Chat
		return 200, "", map[string]any{
			"message_id": c.MessageID, "date": time.Now().Unix(), "text": c.Plain,
			"chat": map[string]any{"id": c.Chat, "type": "private"},
		}
	}
	return 404, "Not Found: method not found", nil
}

// WaitFor reports whether cond became true within timeout (for tests that explain a failure themselves).
func (s *Server) WaitFor(timeout time.Duration, cond func() bool) bool {
	return s.waitFor(timeout, cond)
}
