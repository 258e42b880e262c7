package slack

import (
	"context"
	"strings"

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

// pressed is the message whose button was pressed, for ClosePressed.
type pressed struct {
	channel, ts string
	blocks      []slackapi.Block
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
		channel: channel, ts: cb.Container.MessageTs, blocks: cb.Message.Blocks.BlockSet, label: act.Text.Text,
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

// onEventsAPI handles an acknowledged Events API callback. retry is Slack's retry number (0 for the first try):
// a retry goes through like the first delivery, and the engine recognises its event id.
func (a *Adapter) onEventsAPI(ev slackevents.EventsAPIEvent, retry int) {
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok {
		return
	}
	if retry > 0 {
		a.log.Info("slack redelivered an event", "attempt", retry)
	}
	switch inner := ev.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		if in, ok := messageInbound(cb.EventID, inner); ok {
			a.dms.put(in.user, inner.Channel)
			a.enqueue(in)
		}
	case *slackevents.AppHomeOpenedEvent:
		if inner.Tab == "home" && inner.User != "" {
			user := inner.User
			a.submit(user, func(ctx context.Context) { a.publishHome(ctx, user) })
		}
	}
}

func (a *Adapter) onInteraction(cb slackapi.InteractionCallback) {
	if in, ok := interactionInbound(cb); ok {
		a.enqueue(in)
	}
}

func (a *Adapter) onSlash(sc slackapi.SlashCommand) {
	if in, ok := a.slashInbound(sc); ok {
		a.enqueue(in)
	}
}

func (a *Adapter) enqueue(in inbound) {
	a.submit(in.user, func(ctx context.Context) { a.process(ctx, in) })
}

// submit queues work for user behind their earlier updates.
func (a *Adapter) submit(user string, f func(ctx context.Context)) {
	if !a.work.Submit(user, func() { f(a.base) }) {
		a.log.Warn("slack update dropped: shutting down or too many queued for one user")
	}
}
