package telegram

import (
	"fmt"
	"sync"
	"testing"

	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
)

const (
	orderChats   = 100
	orderUpdates = 20
)

// checkOrder waits for every chat's echoes and checks they came back in the order they were sent.
func checkOrder(t *testing.T, api *telegramtest.Server) {
	t.Helper()
	api.Wait(t, 3*waitLong, "every echo", func() bool { return api.Sent() >= orderChats*orderUpdates })
	for c := range orderChats {
		got := texts(api, int64(c+1))
		if len(got) != orderUpdates {
			t.Fatalf("chat %d: %d replies, want %d", c+1, len(got), orderUpdates)
		}
		for i, text := range got {
			if want := fmt.Sprintf("echo: %d", i); text != want {
				t.Fatalf("chat %d reply %d is %q, want %q (order lost)", c+1, i, text, want)
			}
		}
	}
}

// TestPerChatOrderWebhook: 100 chats post 20 updates each, all chats at once, each chat waiting for its previous
// update's 200 as Telegram does; every chat's replies keep its order.
func TestPerChatOrderWebhook(t *testing.T) {
	conn := openRedis(t)
	eng, _ := engineOn(t, conn, echo)
	api := telegramtest.New(t)
	h := start(t, api, eng, conn, true, nil)
	var wg sync.WaitGroup
	for c := range orderChats {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := telegramtest.User{ID: int64(c + 1), FirstName: "P"}
			for i := range orderUpdates {
				u := telegramtest.Message(api.NextUpdateID(), user, fmt.Sprint(i))
				if code := post(h.a, testSecret, marshal(t, u)); code != 200 {
					t.Errorf("status %d", code)
					return
				}
			}
		}()
	}
	wg.Wait()
	checkOrder(t, api)
}

// TestPerChatOrderPolling: 2,000 updates of 100 chats, interleaved, arrive by getUpdates in batches of 100; the
// poller handles chats in parallel and each chat in order.
func TestPerChatOrderPolling(t *testing.T) {
	conn := openRedis(t)
	eng, _ := engineOn(t, conn, echo)
	api := telegramtest.New(t)
	var all []telegramtest.Update
	for i := range orderUpdates {
		for c := range orderChats {
			all = append(all, telegramtest.Message(api.NextUpdateID(), telegramtest.User{ID: int64(c + 1), FirstName: "P"}, fmt.Sprint(i)))
		}
	}
	api.Push(all...)
	start(t, api, eng, conn, false, nil)
	checkOrder(t, api)
	last := all[len(all)-1]["update_id"].(int64)
	api.Wait(t, waitLong, "the last batch confirmed", func() bool { return api.Confirmed() == last })
}
