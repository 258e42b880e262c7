package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
)

func post(a http.Handler, secret string, body []byte) int {
	req := httptest.NewRequest(http.MethodPost, DefaultWebhookPath, bytes.NewReader(body))
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, req)
	return rec.Code
}

func marshal(t testing.TB, u telegramtest.Update) []byte {
	t.Helper()
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWebhookRejects checks that forged, oversized and malformed requests are refused before anything is
// handled or stored.
func TestWebhookRejects(t *testing.T) {
	conn := openRedis(t)
	eng, _ := engineOn(t, conn, echo)
	api := telegramtest.New(t)
	h := start(t, api, eng, conn, true, nil)
	user := telegramtest.User{ID: 42, FirstName: "Eve"}
	good := marshal(t, telegramtest.Message(1, user, "hi"))

	huge := marshal(t, telegramtest.Message(2, user, strings.Repeat("x", 2<<20)))
	cases := []struct {
		name   string
		secret string
		body   []byte
		want   int
	}{
		{"no secret", "", good, http.StatusUnauthorized},
		{"wrong secret", "s3cret-Token_for-testX", good, http.StatusUnauthorized},
		{"secret prefix", testSecret[:5], good, http.StatusUnauthorized},
		{"2 MiB body", testSecret, huge, http.StatusRequestEntityTooLarge},
		{"not JSON", testSecret, []byte("{not json"), http.StatusBadRequest},
		{"no update_id", testSecret, []byte(`{"message":{"text":"hi"}}`), http.StatusBadRequest},
	}
	for _, c := range cases {
		if got := post(h.a, c.secret, c.body); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
	}
	req := httptest.NewRequest(http.MethodGet, DefaultWebhookPath, nil)
	rec := httptest.NewRecorder()
	h.a.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: status %d", rec.Code)
	}
	// Nothing was processed: no reply, and nothing stored about the user.
	if keys, _ := conn.Client.Keys(context.Background(), "mb:*").Result(); len(keys) != 0 {
		t.Errorf("rejected requests stored %v", keys)
	}
	if got := post(h.a, testSecret, good); got != http.StatusOK {
		t.Fatalf("good update: status %d", got)
	}
	api.Wait(t, waitLong, "the echo", func() bool { return len(api.Messages(42)) == 1 })
	for _, c := range api.Calls() {
		if c.Method == "sendMessage" && c.Plain != "echo: hi" {
			t.Errorf("unexpected message %q", c.Plain)
		}
	}
}

// TestWebhookIgnoresGroupsAndBots: replies carry personal data, so only private chats with people are served.
func TestWebhookIgnoresGroupsAndBots(t *testing.T) {
	conn := openRedis(t)
	eng, _ := engineOn(t, conn, echo)
	api := telegramtest.New(t)
	h := start(t, api, eng, conn, true, nil)
	user := telegramtest.User{ID: 42, FirstName: "Eve"}
	group := telegramtest.Message(1, user, "/start")
	group["message"].(map[string]any)["chat"] = map[string]any{"id": -100, "type": "group", "title": "Wing B"}
	botMsg := telegramtest.Message(2, user, "hi")
	botMsg["message"].(map[string]any)["from"].(map[string]any)["is_bot"] = true
	edited := telegramtest.Update{"update_id": 3, "edited_message": telegramtest.Message(3, user, "x")["message"]}
	for _, u := range []telegramtest.Update{group, botMsg, edited} {
		if got := post(h.a, testSecret, marshal(t, u)); got != http.StatusOK {
			t.Fatalf("status %d", got)
		}
	}
	if got := post(h.a, testSecret, marshal(t, telegramtest.Message(4, user, "private"))); got != http.StatusOK {
		t.Fatalf("status %d", got)
	}
	api.Wait(t, waitLong, "the private echo", func() bool { return len(api.Messages(42)) == 1 })
	if n := len(api.Messages(-100)); n != 0 {
		t.Errorf("the group got %d messages", n)
	}
	if got := texts(api, 42); got[0] != "echo: private" {
		t.Errorf("private chat got %q", got)
	}
}

// TestDuplicateDeliveries delivers one update five times — one after another, at once, and spread over two
// adapters (two replicas) sharing one Redis — and expects exactly one reply each time.
func TestDuplicateDeliveries(t *testing.T) {
	conn := openRedis(t)
	api := telegramtest.New(t)
	eng1, _ := engineOn(t, conn, echo)
	eng2, _ := engineOn(t, conn, echo)
	h1 := start(t, api, eng1, conn, true, nil)
	h2 := start(t, api, eng2, conn, true, nil)

	run := func(name string, chat int64, deliver func(body []byte)) {
		user := telegramtest.User{ID: chat, FirstName: "Dup"}
		body := marshal(t, telegramtest.Message(api.NextUpdateID(), user, name))
		deliver(body)
		// A later, different update proves the duplicates had their chance to be (wrongly) answered first.
		if got := post(h1.a, testSecret, marshal(t, telegramtest.Message(api.NextUpdateID(), user, "end"))); got != 200 {
			t.Fatalf("%s: end status %d", name, got)
		}
		api.Wait(t, waitLong, name+" end", func() bool { return contains(texts(api, chat), "echo: end") })
		if got := texts(api, chat); len(got) != 2 || got[0] != "echo: "+name {
			t.Errorf("%s: replies %q, want one echo and the end", name, got)
		}
	}
	run("sequential", 501, func(body []byte) {
		for range 5 {
			if got := post(h1.a, testSecret, body); got != 200 {
				t.Fatalf("status %d", got)
			}
		}
	})
	parallel := func(handlers ...http.Handler) func([]byte) {
		return func(body []byte) {
			var wg sync.WaitGroup
			for i := range 5 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if got := post(handlers[i%len(handlers)], testSecret, body); got != 200 {
						t.Errorf("status %d", got)
					}
				}()
			}
			wg.Wait()
		}
	}
	run("concurrent", 502, parallel(h1.a))
	run("two replicas", 503, parallel(h1.a, h2.a))
}

// TestWebhookStoreDown: while the store is unreachable the webhook answers 5xx (Telegram redelivers) and says
// sorry once; the redelivery after recovery is handled once.
func TestWebhookStoreDown(t *testing.T) {
	conn := openRedis(t)
	eng, store := engineOn(t, conn, echo)
	api := telegramtest.New(t)
	h := start(t, api, eng, conn, true, nil)
	user := telegramtest.User{ID: 77, FirstName: "Ole", Lang: "da"}
	body := marshal(t, telegramtest.Message(900, user, "hej"))

	store.down.Store(true)
	for range 3 {
		if got := post(h.a, testSecret, body); got != http.StatusServiceUnavailable {
			t.Fatalf("store down: status %d, want 503", got)
		}
	}
	store.down.Store(false)
	for range 2 {
		if got := post(h.a, testSecret, body); got != http.StatusOK {
			t.Fatalf("store back: status %d", got)
		}
	}
	api.Wait(t, waitLong, "the echo", func() bool { return contains(texts(api, 77), "echo: hej") })
	got := texts(api, 77)
	if len(got) != 2 || !strings.Contains(got[0], "Beklager") || got[1] != "echo: hej" {
		t.Errorf("replies %q; want one Danish apology, then the echo once", got)
	}
}

// TestCallbackWhileStoreDown: a press that cannot be handled gets its answer as a toast, not a new message.
func TestCallbackWhileStoreDown(t *testing.T) {
	conn := openRedis(t)
	eng, store := engineOn(t, conn, echo)
	api := telegramtest.New(t)
	h := start(t, api, eng, conn, true, nil)
	store.down.Store(true)
	body := marshal(t, telegramtest.Callback(901, telegramtest.User{ID: 78, FirstName: "Ion", Lang: "ro"}, 5, "g:menu"))
	if got := post(h.a, testSecret, body); got != http.StatusServiceUnavailable {
		t.Fatalf("status %d", got)
	}
	var toast string
	api.Wait(t, waitLong, "the callback answer", func() bool {
		for _, c := range api.Calls() {
			if c.Method == "answerCallbackQuery" {
				toast = c.Fields["text"]
				return true
			}
		}
		return false
	})
	if !strings.Contains(toast, "Mai încearcă") {
		t.Errorf("toast %q is not the Romanian try-again text", toast)
	}
	if n := len(api.Messages(78)); n != 0 {
		t.Errorf("%d messages sent for a press that was not handled", n)
	}
}

// TestReady: the adapter is ready for /readyz once Start registered the webhook, not before.
func TestReady(t *testing.T) {
	conn := openRedis(t)
	eng, _ := engineOn(t, conn, echo)
	api := telegramtest.New(t)
	a, err := New(Options{Token: telegramtest.Token, APIURL: api.URL, Engine: eng, WebhookURL: "https://bot.example.org/telegram/webhook", WebhookSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	if a.Ready(context.Background()) == nil {
		t.Fatal("ready before Start")
	}
	api.Fail("setWebhook", telegramtest.Fault{Code: 401, Description: "Unauthorized"})
	if err := a.Start(context.Background()); err == nil {
		t.Fatal("Start succeeded though setWebhook was refused")
	}
	if a.Ready(context.Background()) == nil {
		t.Fatal("ready though the webhook was never set")
	}
	b, _ := New(Options{Token: telegramtest.Token, APIURL: api.URL, Engine: eng, WebhookURL: "https://bot.example.org/telegram/webhook", WebhookSecret: testSecret})
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Stop(context.Background()) })
	if err := b.Ready(context.Background()); err != nil {
		t.Fatalf("not ready after Start: %v", err)
	}
}
