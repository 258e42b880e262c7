package slack

import (
	"context"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/m4pris/mentorbot/flows"
)

// inbound is one user action from Slack, mapped to an engine event, with where its answers go.
type inbound struct {
	user string
	ev   flows.Event
	to   target
}

// target is where the replies to an action go: the channel it happened in when that is the user's DM with the
// bot, else ephemerally through responseURL (a slash command in a channel: only the user sees the answer), else
// the DM.
type target struct {
	channel     string
	responseURL string
	pressed     *pressed
}

// pressed is the message whose button was pressed, for ClosePressed and answers in place.
type pressed struct {
	channel, ts string
	blocks      []slackapi.Block
	text        string // its top-level (fallback) text
	label       string
	ephemeral   bool
	responseURL string
}

// messageInbound maps a message event: only what a person typed in their DM with the bot; the bot's own posts,
// edits, deletions and other subtypes are ignored.
func messageInbound(eventID string, m *slackevents.MessageEvent) (inbound, bool) {
	if m.ChannelType != "im" || m.BotID != "" || m.SubType != "" || m.User == "" {
		return inbound{}, false
	}
	ev := flows.TextEvent(identity(m.User), plainText(m.Text))
	ev.ID = eventKey("e", eventID)
	return inbound{user: m.User, ev: ev, to: target{channel: m.Channel}}, true
}

// interactionInbound maps a button press. The button's value is the engine's payload (at most 64 bytes, well
// under Slack's 2,000).
func interactionInbound(cb slackapi.InteractionCallback) (inbound, bool) {
	if cb.Type != slackapi.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) != 1 || cb.User.ID == "" {
		return inbound{}, false
	}
	act := cb.ActionCallback.BlockActions[0]
	if act.Type != slackapi.ActionType(slackapi.METButton) || act.Value == "" {
		return inbound{}, false
	}
	id := cb.TriggerID
	if id == "" {
		id = cb.Container.MessageTs + "/" + act.ActionTs
	}
	in := inbound{user: cb.User.ID, ev: flows.Event{ID: eventKey("a", id), From: identity(cb.User.ID), Payload: act.Value}}
	if cb.Container.Type == "view" {
		return in, true // a button on the App Home: answers go to the DM
	}
	channel := cb.Container.ChannelID
	if channel == "" {
		channel = cb.Channel.ID
	}
	in.to = target{channel: channel, responseURL: cb.ResponseURL, pressed: &pressed{
		channel: channel, ts: cb.Container.MessageTs, blocks: cb.Message.Blocks.BlockSet, text: cb.Message.Text,
		label:     act.Text.Text,
		ephemeral: cb.Container.IsEphemeral, responseURL: cb.ResponseURL,
	}}
	return in, true
}

// slashInbound maps "/mentor invite mentor 3" to the command "invite" with args "mentor 3"; "/mentor" alone is the
// menu, and text that does not start with a command is typed text (an answer to the current question).
func (a *Adapter) slashInbound(sc slackapi.SlashCommand) (inbound, bool) {
	if sc.Command != a.o.Command || sc.UserID == "" {
		return inbound{}, false
	}
	ev := flows.Event{ID: eventKey("c", sc.TriggerID), From: identity(sc.UserID)}
	text := strings.TrimSpace(plainText(sc.Text))
	head, rest, _ := strings.Cut(text, " ")
	switch head = strings.ToLower(head); {
	case text == "":
		ev.Command = "menu"
	case a.cmds[head]:
		ev.Command, ev.Args = head, strings.TrimSpace(rest)
	default:
		ev.Text = text
	}
	return inbound{user: sc.UserID, ev: ev, to: target{channel: sc.ChannelID, responseURL: sc.ResponseURL}}, true
}

// eventKey is the engine's event id for a Slack delivery; empty when Slack gave no id (then nothing is deduped).
func eventKey(kind, id string) string {
	if id == "" || id == "/" {
		return ""
	}
	return "sl:" + kind + ":" + id
}

// onEventsAPI takes an Events API callback in, before it is acknowledged; it reports false when the work was
// refused (see submit). retry is Slack's retry number (0 for the first try): a retry goes through like the first
// delivery, and the engine recognises its event id.
func (a *Adapter) onEventsAPI(ev slackevents.EventsAPIEvent, retry int) bool {
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok {
		return true
	}
	if retry > 0 {
		a.log.Info("slack redelivered an event", "attempt", retry)
	}
	switch inner := ev.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		if in, ok := messageInbound(cb.EventID, inner); ok {
			a.dms.put(in.user, inner.Channel)
			return a.enqueue(in)
		}
	case *slackevents.AppHomeOpenedEvent:
		if inner.Tab == "home" && inner.User != "" {
			user := inner.User
			return a.submit(user, func(ctx context.Context) { a.publishHome(ctx, user) })
		}
	}
	return true
}

func (a *Adapter) onInteraction(cb slackapi.InteractionCallback) bool {
	if in, ok := interactionInbound(cb); ok {
		return a.enqueue(in)
	}
	return true
}

func (a *Adapter) onSlash(sc slackapi.SlashCommand) bool {
	if in, ok := a.slashInbound(sc); ok {
		return a.enqueue(in)
	}
	return true
}

func (a *Adapter) enqueue(in inbound) bool {
	return a.submit(in.user, func(ctx context.Context) { a.process(ctx, in) })
}

// submit queues work for user behind their earlier updates, when there is room: at most MaxPending updates wait
// over all users, and maxPerUser for one user. It reports false when the work is refused; the caller then does
// not acknowledge it, so Slack redelivers an event a minute later and shows the person that a press or a command
// did not go through. A flood so slows down instead of growing memory.
func (a *Adapter) submit(user string, f func(ctx context.Context)) bool {
	select {
	case a.slots <- struct{}{}:
	default:
		a.log.Warn("slack update refused: too many updates waiting", "waiting", len(a.slots))
		return false
	}
	if !a.work.Submit(user, func() {
		defer func() { <-a.slots }()
		f(a.base)
	}) {
		<-a.slots
		a.log.Warn("slack update refused: shutting down, or too many waiting for one user")
		return false
	}
	return true
}

// busyLangWait bounds the profile read that finds the language of a "too busy" answer: it is given while the bot
// is overloaded, and Slack waits at most 3 s for it.
const busyLangWait = 300 * time.Millisecond

// busy is the answer to a slash command refused by submit: ephemeral, in the person's language when the bot
// knows it quickly (their profile, or a recent users.info), else in English.
func (a *Adapter) busy(ctx context.Context, user string) *slackapi.WebhookMessage {
	lang := ""
	if u, ok := a.users.get(user); ok {
		lang = flows.LangFromHint(u.lang)
	}
	ctx, cancel := context.WithTimeout(ctx, busyLangWait)
	defer cancel()
	if p := a.profileOf(ctx, user); p != nil && p.Lang != "" {
		lang = p.Lang
	}
	if lang == "" {
		lang = "en"
	}
	return &slackapi.WebhookMessage{ResponseType: slackapi.ResponseTypeEphemeral,
		Text: escape(a.eng.Content().T(lang, "slack.busy", nil))}
}
