package telegramtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Update is an update as Telegram sends it, built as plain JSON so tests control every field.
type Update = map[string]any

// User is a Telegram account in a private chat with the bot.
type User struct {
	ID        int64
	FirstName string
	Lang      string // language_code, e.g. "da"
}

func (u User) json() map[string]any {
	m := map[string]any{"id": u.ID, "is_bot": false, "first_name": u.FirstName}
	if u.Lang != "" {
		m["language_code"] = u.Lang
	}
	return m
}

// Message builds a text message update in the user's private chat.
func Message(updateID int64, from User, text string) Update {
	return Update{"update_id": updateID, "message": map[string]any{
		"message_id": updateID, "date": time.Now().Unix(), "text": text, "from": from.json(),
		"chat": map[string]any{"id": from.ID, "type": "private", "first_name": from.FirstName},
	}}
}

// Callback builds the update for pressing a button with data under message messageID.
func Callback(updateID int64, from User, messageID int, data string) Update {
	return Update{"update_id": updateID, "callback_query": map[string]any{
		"id": "cb" + strconv.FormatInt(updateID, 10), "from": from.json(), "chat_instance": "1", "data": data,
		"message": map[string]any{
			"message_id": messageID, "date": time.Now().Unix(), "text": "…",
			"chat": map[string]any{"id": from.ID, "type": "private"},
		},
	}}
}

// Post sends an update to a webhook URL with the secret header and returns the HTTP status.
func Post(tb testing.TB, url, secret string, u Update) int {
	tb.Helper()
	body, _ := json.Marshal(u)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("telegramtest: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("telegramtest: post update: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Person drives one user's conversation: what they send goes through Deliver (a webhook post or the getUpdates
// queue), and Expect reads what the bot answered, in order.
type Person struct {
	User
	s *Server
	// Deliver hands an update to the bot.
	Deliver func(tb testing.TB, u Update)
	// Timeout bounds each wait. Default 10 s.
	Timeout time.Duration

	mu   sync.Mutex
	read int // messages already read by Expect
}

// Person returns a user whose updates reach the bot through deliver.
func (s *Server) Person(u User, deliver func(tb testing.TB, u Update)) *Person {
	return &Person{User: u, s: s, Deliver: deliver, Timeout: 10 * time.Second}
}

// ViaQueue delivers updates through getUpdates (polling mode).
func (s *Server) ViaQueue(_ testing.TB, u Update) { s.Push(u) }

// ViaWebhook delivers updates by posting them to url, and fails the test on an answer other than 200.
func ViaWebhook(url, secret string) func(tb testing.TB, u Update) {
	return func(tb testing.TB, u Update) {
		tb.Helper()
		if code := Post(tb, url, secret, u); code != http.StatusOK {
			tb.Fatalf("telegramtest: webhook answered %d", code)
		}
	}
}

// Say sends text.
func (p *Person) Say(tb testing.TB, text string) {
	tb.Helper()
	p.Deliver(tb, Message(p.s.NextUpdateID(), p.User, text))
}

// Press presses the button labelled label (case-insensitive substring) of the newest message that still shows
// a keyboard, waiting for such a message to arrive.
func (p *Person) Press(tb testing.TB, label string) {
	tb.Helper()
	var msg int
	var data string
	p.s.Wait(tb, p.Timeout, "a button "+strconv.Quote(label), func() bool {
		msg, data = p.findButton(label)
		return data != ""
	})
	p.Deliver(tb, Callback(p.s.NextUpdateID(), p.User, msg, data))
}

func (p *Person) findButton(label string) (int, string) {
	msgs := p.s.Messages(p.ID)
	for i := len(msgs) - 1; i >= 0; i-- {
		kb := p.s.Keyboard(msgs[i].MessageID)
		if len(kb) == 0 {
			continue
		}
		for _, row := range kb {
			for _, b := range row {
				if strings.Contains(strings.ToLower(b.Text), strings.ToLower(label)) {
					return msgs[i].MessageID, b.Data
				}
			}
		}
		return 0, "" // only the newest keyboard counts, as for a person scrolling to the bottom
	}
	return 0, ""
}

// Expect waits for a message containing want, among those not read yet, and marks it and everything before it
// as read.
func (p *Person) Expect(tb testing.TB, want string) Call {
	tb.Helper()
	var got Call
	ok := p.s.waitFor(p.Timeout, func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		msgs := p.s.Messages(p.ID)
		for i := p.read; i < len(msgs); i++ {
			if strings.Contains(msgs[i].Plain, want) {
				got = msgs[i]
				p.read = i + 1
				return true
			}
		}
		return false
	})
	if !ok {
		tb.Fatalf("telegramtest: no message containing %q for %s within %v%s", want, p.FirstName, p.Timeout, p.recent())
	}
	return got
}

// recent describes the unread messages, for a failure message.
func (p *Person) recent() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	msgs := p.s.Messages(p.ID)
	var b strings.Builder
	for i := p.read; i < len(msgs); i++ {
		b.WriteString("\n  got: " + strconv.Quote(msgs[i].Plain))
	}
	return b.String()
}

// Tagged is an HTTP client whose requests carry X-Test-Client: name, so the fake can tell replicas apart.
func Tagged(name string) *http.Client {
	return &http.Client{Transport: tagger{name: name, next: http.DefaultTransport}}
}

type tagger struct {
	name string
	next http.RoundTripper
}

func (t tagger) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Test-Client", t.name)
	return t.next.RoundTrip(r)
}
