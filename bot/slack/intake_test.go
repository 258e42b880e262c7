package slack_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/slack"
	"github.com/m4pris/mentorbot/bot/slack/slackfake"
)

// gated starts an adapter whose engine holds every update until the returned gate is released.
func gated(t *testing.T, m mode, maxPending int) (*env, *gatedEngine) {
	gate := &gatedEngine{release: make(chan struct{}), entered: make(chan struct{}, 100)}
	e := start(t, m, func(_ *env, o *slack.Options) {
		gate.Engine, o.Engine, o.MaxPending = o.Engine, gate, maxPending
	})
	return e, gate
}

// status posts a signed request to the bot's endpoint and returns the status and body.
func (e *env) status(t *testing.T, path, ctype string, body []byte) (int, string) {
	t.Helper()
	resp, err := e.http.Client().Do(slackfake.SignedRequest(t, secret, e.http.URL+path, ctype, body, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAFloodIsRefusedBeforeItIsAcknowledged: at most MaxPending updates wait over all users. Beyond that an event
// or a press is refused with 503 (Slack delivers the event again later and shows the person that the press failed),
// and a slash command is answered at once, privately, that the bot is busy. Memory stays bounded; nothing that
// was acknowledged is dropped.
func TestAFloodIsRefusedBeforeItIsAcknowledged(t *testing.T) {
	e, gate := gated(t, httpMode, 2)
	e.user("UF1").Say(t, "hi") // the HTTP transport fails the test unless this is 200
	<-gate.entered
	e.user("UF2").Say(t, "hi") // waits behind the gate: the second place
	third := slackfake.DirectMessage("EvFlood3", "UF3", "hi")
	if code, _ := e.status(t, slack.PathEvents, "application/json", third); code != http.StatusServiceUnavailable {
		t.Fatalf("a third update while two wait: status %d, want 503", code)
	}
	form := e.fake.SlashCommand("UF4", "CSTAFF", "/mentor", "help")
	code, body := e.status(t, slack.PathCommands, "application/x-www-form-urlencoded", []byte(form.Encode()))
	var answer struct {
		Text         string `json:"text"`
		ResponseType string `json:"response_type"`
	}
	if err := json.Unmarshal([]byte(body), &answer); code != http.StatusOK || err != nil ||
		answer.ResponseType != "ephemeral" || !strings.Contains(answer.Text, "try again in a minute") {
		t.Fatalf("a slash command while busy: %d %q", code, body)
	}
	close(gate.release)
	for _, id := range []string{"UF1", "UF2"} {
		e.user(id).Expect(t, "Choose your language")
	}
	// Slack delivers the refused event again; now there is room.
	if code, _ := e.status(t, slack.PathEvents, "application/json", third); code != http.StatusOK {
		t.Fatalf("the redelivered event: status %d", code)
	}
	e.user("UF3").Expect(t, "Choose your language")
}

// TestOnePersonsFloodIsBounded: one person can have at most 16 updates waiting; the 17th waiting one is refused
// while other people are still served.
func TestOnePersonsFloodIsBounded(t *testing.T) {
	e, gate := gated(t, httpMode, 0)
	u := e.user("UWILD")
	u.Say(t, "hi")
	<-gate.entered // the first runs; 16 more may wait
	for i := range 16 {
		u.T.Event(t, slackfake.DirectMessage(fmt.Sprintf("EvWild%d", i), "UWILD", "hi"))
	}
	if code, _ := e.status(t, slack.PathEvents, "application/json", slackfake.DirectMessage("EvWild16", "UWILD", "hi")); code != http.StatusServiceUnavailable {
		t.Fatalf("the 17th waiting update of one person: status %d, want 503", code)
	}
	e.user("UCALM").Say(t, "hi") // someone else still gets in
	close(gate.release)
	e.user("UCALM").Expect(t, "Choose your language")
}

// TestSocketModeRefusesByNotAcknowledging: in Socket Mode a refused event is not acknowledged (Slack redelivers
// it), and a refused slash command is acknowledged with the "busy" answer.
func TestSocketModeRefusesByNotAcknowledging(t *testing.T) {
	e, gate := gated(t, socketMode, 1)
	e.user("US1").Say(t, "hi")
	<-gate.entered
	refused := e.fake.Send(t, "events_api", slackfake.DirectMessage("EvSock2", "US2", "hi"), 0)
	slash := e.fake.Send(t, "slash_commands", slackfake.SlashJSON(e.fake.SlashCommand("US3", "", "/mentor", "")), 0)
	e.fake.WaitAck(t, slash) // envelopes are read in order: the event before it was decided on
	if e.fake.Acked(refused) {
		t.Fatal("a refused event was acknowledged: Slack would not deliver it again")
	}
	if p := string(e.fake.AckPayload(slash)); !strings.Contains(p, "try again in a minute") || !strings.Contains(p, "ephemeral") {
		t.Fatalf("the refused slash command was acknowledged with %q", p)
	}
	close(gate.release)
	e.user("US1").Expect(t, "Choose your language")
}
