package slack_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/m4pris/mentorbot/bot/slack"
	"github.com/m4pris/mentorbot/bot/slack/slackfake"
)

func TestSocketModeReconnects(t *testing.T) {
	e := start(t, socketMode, nil)
	e.fake.Wait(t, "ready", func() bool { return e.a.Ready(context.Background()) == nil })
	u := e.user("U12")
	u.Say(t, "hi")
	u.Expect(t, "Choose your language")
	// Slack asks for a reconnect now and then; the conversation goes on over the new connection.
	e.fake.Disconnect(t)
	u.Press(t, "English")
	u.Expect(t, "run by your union")
	// A dropped connection is reopened too.
	e.fake.Drop(t)
	u.Press(t, "Sounds good")
	u.Expect(t, "keep your scores")
	if n := e.fake.Connections(); n != 3 {
		t.Fatalf("%d connections, want 3", n)
	}
	if len(e.fake.Calls("apps.connections.open")) != 3 {
		t.Fatal("each connection should start with apps.connections.open")
	}
}

func TestSocketModeAcknowledgesWhatItCannotRead(t *testing.T) {
	e := start(t, socketMode, nil)
	// An event type the app never subscribed to: acknowledged anyway, so Slack stops redelivering it.
	unknown := slackfake.Envelope("EvOdd", map[string]any{"type": "no_such_event"})
	e.fake.WaitAck(t, e.fake.Send(t, "events_api", unknown, 0))
	e.fake.WaitAck(t, e.fake.Send(t, "interactive", json.RawMessage(`{"type":"shortcut","user":{"id":"U13"}}`), 0))
}

func TestNotReadyWhileTheTokenIsRefused(t *testing.T) {
	e := start(t, socketMode, func(e *env, _ *slack.Options) { e.fake.FailNext("apps.connections.open", "invalid_auth") })
	e.fake.Wait(t, "a first connection attempt", func() bool { return len(e.fake.Calls("apps.connections.open")) >= 1 })
	if err := e.a.Ready(context.Background()); err == nil {
		t.Fatal("ready while Slack refuses the token")
	}
	// The adapter keeps trying; once Slack accepts the token it connects and is ready.
	e.fake.Wait(t, "ready after the token works", func() bool { return e.a.Ready(context.Background()) == nil })
}
