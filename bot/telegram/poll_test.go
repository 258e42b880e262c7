package telegram

import (
	"context"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
)

// TestOnePollerAcrossReplicas: two replicas in polling mode share one Redis; only the lease holder polls (Telegram
// would answer a second poller with 409), every update is answered once, and when the holder stops the other
// takes over.
func TestOnePollerAcrossReplicas(t *testing.T) {
	conn := openRedis(t)
	api := telegramtest.New(t)
	eng1, _ := engineOn(t, conn, echo)
	eng2, _ := engineOn(t, conn, echo)
	replica := func(name string) func(*Options) {
		return func(o *Options) {
			o.Owner, o.HTTPClient = name, telegramtest.Tagged(name)
		}
	}
	hs := map[string]*harness{
		"replica-1": start(t, api, eng1, conn, false, replica("replica-1")),
		"replica-2": start(t, api, eng2, conn, false, replica("replica-2")),
	}
	pollers := func() map[string]int {
		n := map[string]int{}
		for _, c := range api.Calls() {
			if c.Method == "getUpdates" {
				n[c.Client]++
			}
		}
		return n
	}

	user := telegramtest.User{ID: 31, FirstName: "Kim"}
	for i := range 5 {
		api.Push(telegramtest.Message(api.NextUpdateID(), user, "before "+string(rune('a'+i))))
	}
	api.Wait(t, waitLong, "five echoes", func() bool { return len(api.Messages(31)) == 5 })

	// Until the holder stops, only one replica has polled.
	before := pollers()
	if len(before) != 1 {
		t.Fatalf("getUpdates by %v; one poller at a time", before)
	}
	holder, other := "replica-1", "replica-2"
	if before[other] > 0 {
		holder, other = other, holder
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	if err := hs[holder].a.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	api.Push(telegramtest.Message(api.NextUpdateID(), user, "after"))
	api.Wait(t, waitLong, "the echo after the first poller stopped", func() bool { return contains(texts(api, 31), "echo: after") })
	if n := len(api.Messages(31)); n != 6 {
		t.Errorf("%d replies, want 6 (one per update): %q", n, texts(api, 31))
	}
	if after := pollers(); after[other] == 0 {
		t.Errorf("getUpdates before the stop %v, after %v; want %s to take over", before, after, other)
	}
}

// TestPollingConfirmsOnlyHandled: while the store is down the update is retried and its offset not confirmed;
// once it is handled the offset moves past it.
func TestPollingConfirmsOnlyHandled(t *testing.T) {
	conn := openRedis(t)
	eng, store := engineOn(t, conn, echo)
	api := telegramtest.New(t)
	store.down.Store(true)
	id := api.NextUpdateID()
	api.Push(telegramtest.Message(id, telegramtest.User{ID: 32, FirstName: "Liv", Lang: "en"}, "hello"))
	start(t, api, eng, conn, false, nil)
	// The apology shows the update was tried and failed.
	api.Wait(t, waitLong, "the apology", func() bool { return contains(texts(api, 32), "Sorry") })
	if c := api.Confirmed(); c >= id {
		t.Fatalf("confirmed %d while update %d was not handled", c, id)
	}
	store.down.Store(false)
	api.Wait(t, waitLong, "the echo", func() bool { return contains(texts(api, 32), "echo: hello") })
	api.Push(telegramtest.Message(api.NextUpdateID(), telegramtest.User{ID: 32, FirstName: "Liv"}, "next"))
	api.Wait(t, waitLong, "the offset past the update", func() bool { return api.Confirmed() >= id })
	if got := texts(api, 32); len(got) < 2 || got[0] == got[1] {
		t.Errorf("replies %q", got)
	}
}

// TestPollingDeletesWebhook: Telegram refuses getUpdates while a webhook is set, so polling removes it first.
func TestPollingDeletesWebhook(t *testing.T) {
	conn := openRedis(t)
	eng, _ := engineOn(t, conn, echo)
	api := telegramtest.New(t)
	web := start(t, api, eng, conn, true, nil)
	if u, _ := api.Webhook(); u == "" {
		t.Fatal("webhook not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	if err := web.a.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	eng2, _ := engineOn(t, conn, echo)
	start(t, api, eng2, conn, false, nil)
	api.Push(telegramtest.Message(api.NextUpdateID(), telegramtest.User{ID: 33, FirstName: "Mo"}, "poll"))
	api.Wait(t, waitLong, "the echo", func() bool { return contains(texts(api, 33), "echo: poll") })
	if u, _ := api.Webhook(); u != "" {
		t.Errorf("webhook still set: %q", u)
	}
}

// TestPollingReadyFollowsGetUpdates: the polling replica reports itself not ready while Telegram refuses its
// getUpdates (here 409: a webhook set elsewhere), and ready again once polling works.
func TestPollingReadyFollowsGetUpdates(t *testing.T) {
	conn := openRedis(t)
	api := telegramtest.New(t)
	eng, _ := engineOn(t, conn, echo)
	conflict := telegramtest.Fault{Code: 409, Description: "Conflict: can't use getUpdates method while webhook is active"}
	api.Fail("getUpdates", conflict, conflict, conflict, conflict, conflict)
	h := start(t, api, eng, conn, false, func(o *Options) { o.PollUnready = 200 * time.Millisecond })
	ctx := context.Background()
	api.Wait(t, waitLong, "not ready while getUpdates fails", func() bool { return h.a.Ready(ctx) != nil })
	user := telegramtest.User{ID: 32, FirstName: "Ida"}
	api.Push(telegramtest.Message(api.NextUpdateID(), user, "back"))
	api.Wait(t, waitLong, "the echo once polling works", func() bool { return contains(texts(api, 32), "echo: back") })
	if err := h.a.Ready(ctx); err != nil {
		t.Fatalf("polling works again, still not ready: %v", err)
	}
}
