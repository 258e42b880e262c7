package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// fakeToken is the bot token the fake Bot API accepts.
const fakeToken = "424242:LOAD-fake-token"

// button is one inline keyboard button as the bot sent it.
type button struct {
	Text string `json:"text"`
	Data string `json:"callback_data"`
}

// chat is what one user has seen of the bot: the latest message and the latest keyboard still open.
type chat struct {
	mu       sync.Mutex
	seq      int       // messages received so far
	last     time.Time // when the latest message came
	text     string    // texts received and not yet taken (only kept for coordinators, who get invite codes)
	kbMsg    int       // the message whose keyboard is open; 0: none
	keyboard []button
	changed  chan struct{} // closed and replaced on every message
}

func newChat() *chat { return &chat{changed: make(chan struct{})} }

// fakeAPI is a Bot API that answers at once and keeps only each chat's latest keyboard: enough for the load's
// users to press real buttons, cheap enough not to take the bot's CPU.
type fakeAPI struct {
	URL string
	srv *http.Server

	chats  sync.Map // chat id → *chat
	keep   func(chat int64) bool
	nextID atomic.Int64
	calls  atomic.Int64 // every Bot API call
	sent   atomic.Int64 // sendMessage and sendDocument
	lastAt atomic.Int64 // unix nanoseconds of the latest call
}

// startFake starts the fake on a free loopback port. keepText tells which chats' message texts to keep.
func startFake(keepText func(chat int64) bool) (*fakeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &fakeAPI{URL: "http://" + ln.Addr().String(), keep: keepText}
	f.srv = &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

func (f *fakeAPI) close() { _ = f.srv.Close() }

func (f *fakeAPI) chat(id int64) *chat {
	if c, ok := f.chats.Load(id); ok {
		return c.(*chat)
	}
	c, _ := f.chats.LoadOrStore(id, newChat())
	return c.(*chat)
}

var (
	okTrue = []byte(`{"ok":true,"result":true}`)
	okMe   = []byte(`{"ok":true,"result":{"id":424242,"is_bot":true,"first_name":"mentorbot","username":"mentorbot_load_bot"}}`)
)

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	f.lastAt.Store(time.Now().UnixNano())
	method, ok := strings.CutPrefix(r.URL.Path, "/bot"+fakeToken+"/")
	if !ok {
		http.Error(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`, http.StatusUnauthorized)
		return
	}
	var fields map[string]string
	switch method {
	case "sendMessage", "sendDocument", "editMessageReplyMarkup":
		fields = formFields(r)
	default:
		_, _ = io.Copy(io.Discard, r.Body)
	}
	w.Header().Set("Content-Type", "application/json")
	switch method {
	case "getMe":
		_, _ = w.Write(okMe)
	case "sendMessage", "sendDocument":
		f.sent.Add(1)
		id := f.nextID.Add(1)
		chatID, _ := strconv.ParseInt(fields["chat_id"], 10, 64)
		c := f.chat(chatID)
		kb := parseKeyboard(fields["reply_markup"])
		c.mu.Lock()
		c.seq++
		c.last = time.Now()
		if f.keep(chatID) {
			c.text += fields["text"] + "\n"
		}
		if len(kb) > 0 {
			c.kbMsg, c.keyboard = int(id), kb
		}
		close(c.changed)
		c.changed = make(chan struct{})
		c.mu.Unlock()
		_, _ = w.Write([]byte(`{"ok":true,"result":{"message_id":` + strconv.FormatInt(id, 10) + `,"date":` +
			strconv.FormatInt(time.Now().Unix(), 10) + `,"chat":{"id":` + strconv.FormatInt(chatID, 10) + `,"type":"private"}}}`))
	case "editMessageReplyMarkup":
		chatID, _ := strconv.ParseInt(fields["chat_id"], 10, 64)
		msg, _ := strconv.Atoi(fields["message_id"])
		c := f.chat(chatID)
		kb := parseKeyboard(fields["reply_markup"])
		c.mu.Lock()
		if msg == c.kbMsg {
			if len(kb) == 0 {
				c.kbMsg, c.keyboard = 0, nil
			} else {
				c.keyboard = kb
			}
		}
		c.mu.Unlock()
		_, _ = w.Write([]byte(`{"ok":true,"result":{"message_id":` + strconv.Itoa(msg) + `,"date":` +
			strconv.FormatInt(time.Now().Unix(), 10) + `,"chat":{"id":` + strconv.FormatInt(chatID, 10) + `,"type":"private"}}}`))
	default: // setWebhook, setMyCommands, setMyDescription, answerCallbackQuery, deleteWebhook…
		_, _ = w.Write(okTrue)
	}
}

// formFields reads the parameters go-telegram/bot sends as multipart form data (or JSON).
func formFields(r *http.Request) map[string]string {
	fields := map[string]string{}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			if p.FileName() != "" {
				_, _ = io.Copy(io.Discard, p)
				continue
			}
			b, _ := io.ReadAll(p)
			fields[p.FormName()] = string(b)
		}
	case "application/json":
		var m map[string]json.RawMessage
		_ = json.NewDecoder(r.Body).Decode(&m)
		for k, v := range m {
			var s string
			if json.Unmarshal(v, &s) == nil {
				fields[k] = s
			} else {
				fields[k] = string(v)
			}
		}
	}
	_, _ = io.Copy(io.Discard, r.Body)
	return fields
}

func parseKeyboard(raw string) []button {
	if raw == "" || !strings.Contains(raw, "inline_keyboard") {
		return nil
	}
	var m struct {
		Rows [][]button `json:"inline_keyboard"`
	}
	if json.NewDecoder(bytes.NewReader([]byte(raw))).Decode(&m) != nil {
		return nil
	}
	var out []button
	for _, row := range m.Rows {
		out = append(out, row...)
	}
	return out
}

// view is a snapshot of a chat.
type view struct {
	seq      int
	last     time.Time
	kbMsg    int
	keyboard []button
	changed  <-chan struct{}
}

// takeText returns the texts received since the last call.
func (c *chat) takeText() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.text
	c.text = ""
	return t
}

func (c *chat) view() view {
	c.mu.Lock()
	defer c.mu.Unlock()
	return view{seq: c.seq, last: c.last, kbMsg: c.kbMsg, keyboard: c.keyboard, changed: c.changed}
}

// waitQuestion waits until a message with a keyboard newer than msg has come, or until timeout. It reports
// whether one came.
func (c *chat) waitQuestion(msg int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		v := c.view()
		if v.kbMsg > msg {
			return true
		}
		d := time.Until(deadline)
		if d <= 0 {
			return false
		}
		select {
		case <-v.changed:
		case <-time.After(d):
		}
	}
}

// waitReply waits until the chat has received messages after seq and then none for quiet (a reply may be several
// messages), or until timeout. It reports whether anything came.
func (c *chat) waitReply(seq int, quiet, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		v := c.view()
		if v.seq > seq {
			if d := time.Until(v.last.Add(quiet)); d > 0 {
				select {
				case <-v.changed:
				case <-time.After(d):
				}
				continue
			}
			return true
		}
		d := time.Until(deadline)
		if d <= 0 {
			return false
		}
		select {
		case <-v.changed:
		case <-time.After(d):
		}
	}
}
