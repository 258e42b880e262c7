package slack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/slack"
	"github.com/m4pris/mentorbot/bot/slack/slackfake"
	"github.com/m4pris/mentorbot/flows"
)

// TestOnboardingInADirectMessage: every press is answered by replacing the pressed question in place (one call,
// through the press's response_url, with "✓ choice" on top), so the whole onboarding is one message and one call
// a tap; only the typed "hi" is answered by a new message.
func TestOnboardingInADirectMessage(t *testing.T) {
	for _, m := range []mode{socketMode, httpMode} {
		t.Run([]string{"socket mode", "http mode"}[m], func(t *testing.T) {
			e := start(t, m, nil)
			e.fake.SetUser("U1", slackfake.UserInfo{Name: "Anna Berg", Locale: "en-GB"})
			u := e.user("U1")
			onboard(t, u)
			msg := u.Expect(t, "You're all set, Anna!")
			if len(msg.Buttons()) == 0 {
				t.Error("the closing message has no menu buttons")
			}
			if !strings.Contains(msg.Body(), "✓ 22:00–07:00") || !strings.Contains(msg.Text, "all set") {
				t.Errorf("the last answer in place: body %q, text %q", msg.Body(), msg.Text)
			}
			dm := e.fake.Messages(slackfake.DM("U1"))
			if len(dm) != 1 || dm[0].Updates != 7 {
				t.Fatalf("%d messages in the DM (first updated %d times), want one updated by each of 7 presses", len(dm), dm[0].Updates)
			}
			posts, replaced, updates := len(e.fake.Calls("chat.postMessage")), len(e.fake.Calls("response_url")), len(e.fake.Calls("chat.update"))
			if posts != 1 || replaced != 7 || updates != 0 {
				t.Fatalf("calls: %d chat.postMessage, %d response_url, %d chat.update; want 1, 7, 0", posts, replaced, updates)
			}
			p, _ := e.store.Profile(context.Background(), flows.ProfileID(flows.Identity{Platform: flows.Slack, ID: "U1"}))
			if p == nil || !p.Onboarded || p.Name != "Anna" || p.Lang != "en" {
				t.Fatalf("profile after onboarding: %+v", p)
			}
		})
	}
}

func TestAnUpdateIsHandledAfterItsAcknowledgement(t *testing.T) {
	gate := &gatedEngine{release: make(chan struct{}), entered: make(chan struct{}, 10)}
	e := start(t, httpMode, func(_ *env, o *slack.Options) { gate.Engine = o.Engine; o.Engine = gate })
	u := e.user("U2")
	// The HTTP transport fails the test unless the endpoint answers 200; the engine is still blocked then.
	u.Say(t, "hi")
	<-gate.entered
	if n := len(e.fake.Messages(slackfake.DM("U2"))); n != 0 {
		t.Fatalf("%d replies before the engine ran", n)
	}
	close(gate.release)
	u.Expect(t, "Choose your language")
}

func TestOneUsersUpdatesKeepTheirOrder(t *testing.T) {
	e := start(t, socketMode, nil)
	u := e.user("U3")
	u.Say(t, "hi")
	u.Expect(t, "Choose your language")
	// Typed labels count as presses: if these overtook each other, the answers would land on the wrong questions.
	for _, text := range []string{"English", "Sounds good", "Yes, keep them", "No", "Continue as guest"} {
		u.T.Event(t, slackfake.DirectMessage("Ev-order-"+text, "U3", text))
	}
	u.Expect(t, "Which time zone")
	for _, m := range e.fake.Messages(slackfake.DM("U3")) {
		if strings.Contains(m.Body(), "Please tap one of the buttons") {
			t.Fatalf("an answer reached the wrong question: %q", m.Body())
		}
	}
}

func TestARetriedEventIsHandledOnce(t *testing.T) {
	for _, m := range []mode{socketMode, httpMode} {
		t.Run([]string{"socket mode", "http mode"}[m], func(t *testing.T) {
			e := start(t, m, nil)
			u := e.user("U4")
			first := slackfake.DirectMessage("EvRetry1", "U4", "hi")
			u.T.Event(t, first)
			u.Expect(t, "Choose your language")
			// Slack redelivers the same event (same event_id) as a retry.
			if m == socketMode {
				e.fake.WaitAck(t, e.fake.Send(t, "events_api", first, 1))
			} else {
				req := slackfake.SignedRequest(t, secret, e.http.URL+slack.PathEvents, "application/json", first, time.Now())
				req.Header.Set("X-Slack-Retry-Num", "1")
				req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
				resp, err := e.http.Client().Do(req)
				if err != nil || resp.StatusCode != 200 {
					t.Fatalf("retry: %v %v", resp, err)
				}
				resp.Body.Close()
			}
			// A later message is handled after the retry (per-user order), so once it is answered the retry was too.
			u.Say(t, "English")
			u.Expect(t, "run by your union")
			n := 0
			for _, msg := range e.fake.Messages(slackfake.DM("U4")) {
				if strings.Contains(msg.Body(), "Choose your language") {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("the event was answered %d times", n)
			}
		})
	}
}

func TestStopWaitsForAcknowledgedWork(t *testing.T) {
	gate := &gatedEngine{release: make(chan struct{}), entered: make(chan struct{}, 10)}
	e := start(t, socketMode, func(_ *env, o *slack.Options) { gate.Engine = o.Engine; o.Engine = gate })
	e.user("U5").Say(t, "hi")
	<-gate.entered
	stopped := make(chan error, 1)
	go func() { stopped <- e.a.Stop(context.Background()) }()
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned (%v) while an update was in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(gate.release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if msgs := e.fake.Messages(slackfake.DM("U5")); len(msgs) != 1 || !strings.Contains(msgs[0].Body(), "Choose your language") {
		t.Fatalf("the in-flight update was not answered before Stop returned: %d messages", len(msgs))
	}
}

func TestBotMessagesAndEditsAreIgnored(t *testing.T) {
	e := start(t, socketMode, nil)
	u := e.user("U6")
	bot := slackfake.Envelope("EvBot", map[string]any{"type": "message", "channel_type": "im", "channel": "DU6",
		"user": "U6", "bot_id": "B1", "text": "echo"})
	edit := slackfake.Envelope("EvEdit", map[string]any{"type": "message", "channel_type": "im", "channel": "DU6",
		"subtype": "message_changed", "message": map[string]any{"user": "U6", "text": "hi"}})
	u.T.Event(t, bot)
	u.T.Event(t, edit)
	u.Say(t, "hi")
	u.Expect(t, "Choose your language")
	if n := len(e.fake.Messages(slackfake.DM("U6"))); n != 1 {
		t.Fatalf("%d replies, want only the one to the typed message", n)
	}
}

// gatedEngine holds every update until release is closed.
type gatedEngine struct {
	slack.Engine
	release chan struct{}
	entered chan struct{}
}

func (g *gatedEngine) Handle(ctx context.Context, ev flows.Event) (flows.Result, error) {
	g.entered <- struct{}{}
	<-g.release
	return g.Engine.Handle(ctx, ev)
}
