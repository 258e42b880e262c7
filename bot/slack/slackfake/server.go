// Package slackfake plays Slack in tests: the Web API methods the adapter calls (served by an httptest server the
// adapter reaches through slack-go's OptionAPIURL), response_url endpoints, file uploads and a Socket Mode
// WebSocket. It records every message, so a test reads what a user saw and presses its buttons like a person would.
package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a fake Slack workspace.
type Server struct {
	srv *httptest.Server

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every change, so waiters wake without polling
	msgs    []*Message
	calls   []Call
	homes   map[string]json.RawMessage
	users   map[string]UserInfo
	respond map[string]*respondTarget
	uploads map[string][]byte
	failure map[string][]Fault
	limit   *channelLimit // chat.postMessage's per-channel limit, when a test enforces one
	limited int           // calls answered 429 by that limit
	ts      int
	nextID  int
	seq     int // changes to messages so far (see add)

	sock        *socket
	socks       int
	acks        map[string]bool
	ackPayloads map[string]json.RawMessage
	closed      bool
}

// Message is one message as Slack keeps it.
type Message struct {
	Channel string
	TS      string
	// Ephemeral messages are seen only by User.
	Ephemeral bool
	User      string
	Text      string
	Blocks    json.RawMessage
	// Updates counts chat.update and replace_original calls on the message.
	Updates int
	File    *File
	seq     int // when it was posted or last updated, in the fake's order of changes
}

// File is an uploaded file shared in a channel.
type File struct {
	Name string
	Data []byte
}

// Call is one Web API call (or response_url post, Method "response_url"), answered or not.
type Call struct {
	Method string
	Form   url.Values
	JSON   json.RawMessage
	// At is when the fake received it.
	At time.Time
}

// UserInfo is what users.info answers for a user.
type UserInfo struct {
	Name   string
	Locale string
}

type respondTarget struct {
	channel, user string
	msg           *Message // the message the interaction came from; nil for a slash command
}

// New starts a fake workspace, closed when the test ends.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{
		changed: make(chan struct{}), homes: map[string]json.RawMessage{}, users: map[string]UserInfo{},
		respond: map[string]*respondTarget{}, uploads: map[string][]byte{}, failure: map[string][]Fault{},
		acks: map[string]bool{}, ackPayloads: map[string]json.RawMessage{}, ts: 1000,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.api)
	mux.HandleFunc("/respond/", s.serveRespond)
	mux.HandleFunc("/upload/", s.serveUpload)
	mux.HandleFunc("/socket", s.serveSocket)
	s.srv = httptest.NewServer(mux)
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server and drops the Socket Mode connection.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	sock := s.sock
	s.mu.Unlock()
	if sock != nil {
		sock.close()
	}
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// APIURL is the Web API base for slack.OptionAPIURL (SLACK_API_URL).
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// URL is the server's base URL.
func (s *Server) URL() string { return s.srv.URL }

// SetUser sets what users.info answers for id.
func (s *Server) SetUser(id string, u UserInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[id] = u
}

// DM is the direct-message channel id the fake gives a user.
func DM(user string) string { return "D" + user }

// Calls returns the Web API calls of method so far.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Messages returns copies of the messages in channel, oldest first.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.msgs {
		if m.Channel == channel {
			out = append(out, *m)
		}
	}
	return out
}

// Posted counts the messages the fake accepted in every channel: posts, ephemeral answers and files (not
// updates of a message).
func (s *Server) Posted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}

// Replaced counts the updates of a message the fake accepted (chat.update, response_url replace_original).
func (s *Server) Replaced() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.msgs {
		n += m.Updates
	}
	return n
}

// Home returns the App Home view last published for user.
func (s *Server) Home(user string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.homes[user]
}

// Wait blocks until cond holds, re-checking on every change the fake sees (and every 20 ms, for conditions on
// the bot's own state); it fails the test after 10 s.
func (s *Server) Wait(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-tick.C:
		case <-deadline.C:
			tb.Fatalf("slackfake: timed out waiting for %s", what)
		}
	}
}

// notify wakes waiters; the caller holds s.mu.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// add stores a new message; touch marks an updated one. Both make it newer than everything before, so a user's
// Expect and Press see an answer that replaced a question in place like a new message. The caller holds s.mu.
func (s *Server) add(m *Message) {
	s.msgs = append(s.msgs, m)
	s.touch(m)
}

func (s *Server) touch(m *Message) {
	s.seq++
	m.seq = s.seq
}

func (s *Server) newTS() string {
	s.ts++
	return fmt.Sprintf("1700000000.%06d", s.ts)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

type obj = map[string]any

func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	call := Call{Method: method, At: time.Now()}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/json" {
		b, _ := io.ReadAll(r.Body)
		call.JSON = b
	} else {
		_ = r.ParseForm()
		call.Form = r.Form
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, call)
	defer s.notify()
	if s.fault(w, method) {
		return
	}
	f := call.Form
	if method == "chat.postMessage" && !s.allowPost(f.Get("channel"), call.At) {
		s.limited++
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	switch method {
	case "auth.test":
		writeJSON(w, obj{"ok": true, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1"})
	case "apps.connections.open":
		writeJSON(w, obj{"ok": true, "url": "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/socket"})
	case "conversations.open":
		writeJSON(w, obj{"ok": true, "channel": obj{"id": DM(f.Get("users"))}})
	case "users.info":
		id := f.Get("user")
		u, ok := s.users[id]
		if !ok {
			u = UserInfo{Name: "Sam Slack", Locale: "en-US"}
		}
		first, _, _ := strings.Cut(u.Name, " ")
		writeJSON(w, obj{"ok": true, "user": obj{"id": id, "name": strings.ToLower(first), "real_name": u.Name,
			"locale": u.Locale, "profile": obj{"first_name": first, "real_name": u.Name}}})
	case "chat.postMessage":
		m := &Message{Channel: f.Get("channel"), TS: s.newTS(), Text: f.Get("text"), Blocks: json.RawMessage(f.Get("blocks"))}
		s.add(m)
		writeJSON(w, obj{"ok": true, "channel": m.Channel, "ts": m.TS})
	case "chat.update":
		m := s.find(f.Get("channel"), f.Get("ts"))
		if m == nil {
			writeJSON(w, obj{"ok": false, "error": "message_not_found"})
			return
		}
		m.Blocks, m.Updates = json.RawMessage(f.Get("blocks")), m.Updates+1
		s.touch(m)
		if t := f.Get("text"); t != "" {
			m.Text = t
		}
		writeJSON(w, obj{"ok": true, "channel": m.Channel, "ts": m.TS, "text": m.Text})
	case "views.publish":
		var req struct {
			UserID string          `json:"user_id"`
			View   json.RawMessage `json:"view"`
		}
		_ = json.Unmarshal(call.JSON, &req)
		s.homes[req.UserID] = req.View
		writeJSON(w, obj{"ok": true, "view": obj{"id": "V1", "type": "home"}})
	case "files.getUploadURLExternal":
		s.nextID++
		id := fmt.Sprintf("F%d", s.nextID)
		writeJSON(w, obj{"ok": true, "upload_url": s.srv.URL + "/upload/" + id, "file_id": id})
	case "files.completeUploadExternal":
		var files []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		}
		_ = json.Unmarshal([]byte(f.Get("files")), &files)
		if len(files) != 1 {
			writeJSON(w, obj{"ok": false, "error": "invalid_arguments"})
			return
		}
		s.add(&Message{Channel: f.Get("channel_id"), TS: s.newTS(),
			File: &File{Name: files[0].Title, Data: s.uploads[files[0].ID]}})
		writeJSON(w, obj{"ok": true, "files": []obj{{"id": files[0].ID, "title": files[0].Title}}})
	default:
		writeJSON(w, obj{"ok": false, "error": "unknown_method"})
	}
}

func (s *Server) find(channel, ts string) *Message {
	for _, m := range s.msgs {
		if m.Channel == channel && m.TS == ts {
			return m
		}
	}
	return nil
}

func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	file, _, err := r.FormFile("file")
	if err != nil {
		http.Error(w, "no file", http.StatusBadRequest)
		return
	}
	data, _ := io.ReadAll(file)
	s.mu.Lock()
	s.uploads[id] = data
	s.notify()
	s.mu.Unlock()
	fmt.Fprint(w, "OK")
}

// responseURL registers a response_url for an interaction or a slash command.
func (s *Server) responseURL(t *respondTarget) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	id := strconv.Itoa(s.nextID)
	s.respond[id] = t
	return s.srv.URL + "/respond/" + id
}

func (s *Server) serveRespond(w http.ResponseWriter, r *http.Request) {
	var msg struct {
		Text            string          `json:"text"`
		Blocks          json.RawMessage `json:"blocks"`
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
	}
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.respond[strings.TrimPrefix(r.URL.Path, "/respond/")]
	if t == nil {
		http.Error(w, "expired_url", http.StatusNotFound)
		return
	}
	s.calls = append(s.calls, Call{Method: "response_url", JSON: mustJSON(msg), At: time.Now()})
	defer s.notify()
	if s.fault(w, "response_url") {
		return
	}
	if msg.ReplaceOriginal && t.msg != nil {
		t.msg.Blocks, t.msg.Text, t.msg.Updates = msg.Blocks, msg.Text, t.msg.Updates+1
		s.touch(t.msg)
	} else {
		s.add(&Message{Channel: t.channel, TS: s.newTS(), Ephemeral: msg.ResponseType == "ephemeral",
			User: t.user, Text: msg.Text, Blocks: msg.Blocks})
	}
	fmt.Fprint(w, "ok")
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
