package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// killAPI is the Bot API of the kill test: it records every message each chat received (a text sent, a document,
// or a message edited to show a new text: what a person sees), keeps each chat's open keyboard, and serves
// getUpdates from a queue with Telegram's offset semantics, so that polling mode loses nothing it did not confirm.
type killAPI struct {
	URL string
	srv *http.Server

	mu         sync.Mutex
	chats      map[int64]*killChat
	nextMsg    int
	nextUpdate int64
	queue      []json.RawMessage // updates not yet confirmed, in update_id order
	ids        []int64           // their update_ids
	arrived    chan struct{}     // closed and replaced when an update is queued
	calls      atomic.Int64
}

// killChat is what one user has seen.
type killChat struct {
	texts    []string       // every message received, in order
	at       []time.Time    // when each came
	msgText  map[int]string // the current text of each message (an edit to the same text changes nothing)
	kbMsg    int
	keyboard []button
	changed  chan struct{}
}

func startKillAPI() (*killAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &killAPI{URL: "http://" + ln.Addr().String(), chats: map[int64]*killChat{}, arrived: make(chan struct{})}
	f.srv = &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

func (f *killAPI) close() { _ = f.srv.Close() }

// chat returns chat id's record; f.mu must be held.
func (f *killAPI) chat(id int64) *killChat {
	c := f.chats[id]
	if c == nil {
		c = &killChat{msgText: map[int]string{}, changed: make(chan struct{})}
		f.chats[id] = c
	}
	return c
}

// push queues the update body(id) for getUpdates, with the next update_id: numbered in the order they are queued,
// as Telegram does (an offset confirms every update below it).
func (f *killAPI) push(body func(id int64) []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextUpdate++
	f.queue = append(f.queue, body(f.nextUpdate))
	f.ids = append(f.ids, f.nextUpdate)
	close(f.arrived)
	f.arrived = make(chan struct{})
}

// arrivals returns when each of chat's messages came.
func (f *killAPI) arrivals(id int64) []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.chat(id).at...)
}

// received returns a copy of the texts chat received.
func (f *killAPI) received(id int64) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.chat(id).texts...)
}

// view is chat id's latest keyboard and message count, and a channel closed on its next change.
func (f *killAPI) view(id int64) view {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.chat(id)
	return view{seq: len(c.texts), kbMsg: c.kbMsg, keyboard: c.keyboard, changed: c.changed}
}

func (f *killAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	method, ok := strings.CutPrefix(r.URL.Path, "/bot"+fakeToken+"/")
	if !ok {
		http.Error(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`, http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if method == "getUpdates" {
		f.getUpdates(w, r)
		return
	}
	fields := formFields(r)
	chatID, _ := strconv.ParseInt(fields["chat_id"], 10, 64)
	msg, _ := strconv.Atoi(fields["message_id"])
	now := strconv.FormatInt(time.Now().Unix(), 10)
	answer := func(id int) {
		_, _ = w.Write([]byte(`{"ok":true,"result":{"message_id":` + strconv.Itoa(id) + `,"date":` + now +
			`,"chat":{"id":` + strconv.FormatInt(chatID, 10) + `,"type":"private"},"text":"x"}}`))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.chat(chatID)
	changed := func() {
		close(c.changed)
		c.changed = make(chan struct{})
	}
	switch method {
	case "getMe":
		_, _ = w.Write(okMe)
	case "sendMessage", "sendDocument":
		f.nextMsg++
		text := fields["text"]
		if method == "sendDocument" {
			text = "document"
		}
		c.texts = append(c.texts, text)
		c.at = append(c.at, time.Now())
		c.msgText[f.nextMsg] = text
		if kb := parseKeyboard(fields["reply_markup"]); len(kb) > 0 {
			c.kbMsg, c.keyboard = f.nextMsg, kb
		}
		changed()
		answer(f.nextMsg)
	case "editMessageText":
		old, ok := c.msgText[msg]
		if !ok {
			_, _ = w.Write([]byte(`{"ok":false,"error_code":400,"description":"Bad Request: message to edit not found"}`))
			return
		}
		kb := parseKeyboard(fields["reply_markup"])
		if old == fields["text"] && (msg != c.kbMsg || sameKeyboard(kb, c.keyboard)) {
			_, _ = w.Write([]byte(`{"ok":false,"error_code":400,"description":"Bad Request: message is not modified"}`))
			return
		}
		if old != fields["text"] {
			c.texts = append(c.texts, fields["text"])
			c.at = append(c.at, time.Now())
			c.msgText[msg] = fields["text"]
		}
		switch {
		case len(kb) > 0:
			c.kbMsg, c.keyboard = msg, kb
		case msg == c.kbMsg:
			c.kbMsg, c.keyboard = 0, nil
		}
		changed()
		answer(msg)
	case "editMessageReplyMarkup":
		if kb := parseKeyboard(fields["reply_markup"]); len(kb) > 0 {
			c.kbMsg, c.keyboard = msg, kb
		} else if msg == c.kbMsg {
			c.kbMsg, c.keyboard = 0, nil
		}
		changed()
		answer(msg)
	default: // setWebhook, deleteWebhook, setMyCommands, answerCallbackQuery…
		_, _ = w.Write(okTrue)
	}
}

func sameKeyboard(a, b []button) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// getUpdates confirms the updates below offset, then answers those left (at most limit), waiting up to timeout
// seconds for one to arrive.
func (f *killAPI) getUpdates(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Offset  int64 `json:"offset"`
		Timeout int   `json:"timeout"`
		Limit   int   `json:"limit"`
	}
	body, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(body, &req)
	if req.Limit <= 0 || req.Limit > 100 {
		req.Limit = 100
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Duration(req.Timeout)*time.Second)
	defer cancel()
	for {
		f.mu.Lock()
		n := 0
		for n < len(f.ids) && f.ids[n] < req.Offset {
			n++
		}
		f.queue, f.ids = f.queue[n:], f.ids[n:]
		if len(f.queue) > 0 || ctx.Err() != nil {
			batch := f.queue[:min(req.Limit, len(f.queue))]
			out, _ := json.Marshal(map[string]any{"ok": true, "result": batch})
			f.mu.Unlock()
			_, _ = w.Write(out)
			return
		}
		arrived := f.arrived
		f.mu.Unlock()
		select {
		case <-arrived:
		case <-ctx.Done():
		}
	}
}
