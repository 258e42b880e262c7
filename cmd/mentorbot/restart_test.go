package main

import (
	"context"
	"strings"
	"testing"

	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
)

// TestRestartMidFlow stops the bot and its Redis (AOF) between two steps of a conversation and starts both again:
// the user continues at the same step, and the button of the question asked before the restart still works.
func TestRestartMidFlow(t *testing.T) {
	srv := redistest.StartServer(t)
	vars := map[string]string{"REDIS_URL": srv.URL(), "MENTORBOT_LOG_LEVEL": "error"}
	ctx := context.Background()
	user := flows.Identity{Platform: flows.Telegram, ID: "4242"}

	m1 := openMain(t, vars, &syncBuffer{})
	handle := func(m *Main, ev flows.Event) flows.Result {
		t.Helper()
		ev.From = user
		res, err := m.Engine.Handle(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := handle(m1, flows.TextEvent(user, "/start"))
	res = handle(m1, flows.Event{ID: "tg:1", Payload: button(t, res, "English")})
	res = handle(m1, flows.Event{ID: "tg:2", Payload: button(t, res, "Sounds good")})
	pending := button(t, res, "Yes, keep them") // asked, not yet answered
	m1.Close()
	srv.Stop()

	srv.Start()
	m2 := openMain(t, vars, &syncBuffer{})
	res = handle(m2, flows.Event{ID: "tg:3", Payload: pending})
	if got := flowtest.Text(res.Replies); !strings.Contains(got, "let a coordinator know") {
		t.Fatalf("after restart the conversation did not continue at the consent step: %q", got)
	}
	// The update handled before the restart is still recognised as handled.
	res = handle(m2, flows.Event{ID: "tg:2", Payload: pending})
	if !res.Duplicate {
		t.Fatal("an update from before the restart was handled again")
	}
}

func button(t *testing.T, res flows.Result, label string) string {
	t.Helper()
	for _, r := range res.Replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Label == label {
					return b.Data
				}
			}
		}
	}
	t.Fatalf("no button %q in %q", label, flowtest.Text(res.Replies))
	return ""
}
