package slack

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/m4pris/mentorbot/flows"
)

// deliver sends replies for user to the target of the action they answer, in order. A reply that follows the
// closing of a pressed question is shown in place of that question when both are in the same conversation (see
// inPlace), so a tap costs one call and is not held back by the channel's schedule. It returns the first error;
// the replies after a failed one are still tried, each logged without its text.
func (a *Adapter) deliver(ctx context.Context, user string, to target, replies []flows.Reply) error {
	var first error
	fail := func(what string, err error) {
		a.log.Error("slack: "+what, "err", err)
		if first == nil {
			first = err
		}
	}
	for i := 0; i < len(replies); i++ {
		r := replies[i]
		if r.ClosePressed && to.pressed != nil {
			// The answer to the press: this reply when it says something, else the one after it.
			ans, skip := r, false
			if !hasMessage(r) && i+1 < len(replies) && !replies[i+1].ClosePressed {
				ans, skip = replies[i+1], true
			}
			if hasMessage(ans) && ans.File == nil && a.inPlace(ctx, user, to) {
				if skip {
					i++
				}
				if err := a.answerInPlace(ctx, user, to, ans); err != nil {
					fail("answer in place", err)
				}
				to.pressed = nil // replaced once; anything later is a new message
				continue
			}
			if err := a.closePressed(ctx, to.pressed); err != nil {
				a.log.Warn("slack: close pressed message", "err", err)
			}
			to.pressed = nil
		}
		var err error
		switch {
		case r.File != nil:
			err = a.sendFile(ctx, user, to, r)
		case hasMessage(r):
			err = a.post(ctx, user, to, r)
		}
		if err != nil {
			fail("send reply", err)
		}
	}
	return first
}

func hasMessage(r flows.Reply) bool { return r.Text != "" || len(r.Buttons) > 0 }

// inPlace reports whether a reply to a press may take the pressed message's place: the press happened in the
// user's own DM with the bot and the reply goes there too, or the pressed message is ephemeral (only the user
// sees it) and the reply is an ephemeral answer in the same channel. A question in a shared channel (an alert)
// keeps its text for everyone; the presser's answer comes privately.
func (a *Adapter) inPlace(ctx context.Context, user string, to target) bool {
	p := to.pressed
	if p.ts == "" {
		return false
	}
	if p.ephemeral {
		return p.responseURL != "" && to.responseURL != "" && to.channel == p.channel
	}
	dm, err := a.dm(ctx, user)
	return err == nil && p.channel == dm && (to.channel == "" || to.channel == dm)
}

// answerInPlace replaces the pressed message with "✓ choice" and the reply's first message (the next question
// and its buttons); the rest of a long reply follows as new messages. When the pressed message cannot be
// replaced (its response_url expired, chat.update refused), the reply is posted as a new message, so it is never
// lost.
func (a *Adapter) answerInPlace(ctx context.Context, user string, to target, r flows.Reply) error {
	msgs := a.render(r)
	if len(msgs) == 0 {
		return a.closePressed(ctx, to.pressed)
	}
	p := to.pressed
	head := msgs[0]
	if p.label != "" && len(head.blocks) < maxBlocks {
		head.blocks = append([]slackapi.Block{choiceBlock(p.label)}, head.blocks...)
	}
	if err := a.replace(ctx, p, head.blocks, head.fallback); err != nil {
		a.log.Warn("slack: could not answer in place, posting instead", "err", err)
		if err := a.closePressed(ctx, p); err != nil {
			a.log.Warn("slack: close pressed message", "err", err)
		}
		return a.post(ctx, user, to, r)
	}
	for _, m := range msgs[1:] {
		var err error
		if p.ephemeral {
			err = a.respondNew(ctx, to, m)
		} else {
			err = a.postMessage(ctx, p.channel, m)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// post sends one reply: in the DM with the bot, or ephemerally where the action happened elsewhere.
func (a *Adapter) post(ctx context.Context, user string, to target, r flows.Reply) error {
	dm, dmErr := a.dm(ctx, user)
	if to.channel != "" && to.responseURL != "" && (dmErr != nil || to.channel != dm) {
		err := a.postEphemeral(ctx, to, r)
		if err == nil {
			return nil
		}
		// response_url works five times in 30 minutes; after that the answer still reaches the user privately.
		a.log.Warn("slack: ephemeral answer failed, sending to the DM", "err", err)
	}
	if dmErr != nil {
		return dmErr
	}
	return a.postAll(ctx, dm, []flows.Reply{r})
}

// postAll posts replies to channel, on the channel's schedule.
func (a *Adapter) postAll(ctx context.Context, channel string, replies []flows.Reply) error {
	for _, r := range replies {
		for _, m := range a.render(r) {
			if err := a.postMessage(ctx, channel, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// postMessage posts m to channel on the channel's schedule.
func (a *Adapter) postMessage(ctx context.Context, channel string, m message) error {
	err := a.call(ctx, methodPost, channel, func(ctx context.Context) error {
		_, _, err := a.api.PostMessageContext(ctx, channel,
			slackapi.MsgOptionBlocks(m.blocks...), slackapi.MsgOptionText(m.fallback, false))
		return err
	})
	if err != nil {
		return fmt.Errorf("post message: %w", err)
	}
	a.m.Sent()
	return nil
}

func (a *Adapter) postEphemeral(ctx context.Context, to target, r flows.Reply) error {
	for _, m := range a.render(r) {
		if err := a.respondNew(ctx, to, m); err != nil {
			return err
		}
	}
	return nil
}

// respondNew posts m as a new ephemeral message through to's response_url.
func (a *Adapter) respondNew(ctx context.Context, to target, m message) error {
	msg := &slackapi.WebhookMessage{ResponseType: slackapi.ResponseTypeEphemeral, Text: m.fallback,
		Blocks: &slackapi.Blocks{BlockSet: m.blocks}}
	if err := a.respond(ctx, methodRespondNew, to.channel, to.responseURL, msg); err != nil {
		return err
	}
	a.m.Sent()
	return nil
}

// closePressed replaces the pressed message with itself minus its buttons plus the choice made.
func (a *Adapter) closePressed(ctx context.Context, p *pressed) error {
	if p == nil || p.ts == "" {
		return nil
	}
	text := p.text
	if p.label != "" {
		text = strings.TrimSpace(text + "\n✓ " + escape(p.label))
	}
	return a.replace(ctx, p, chosen(p.blocks, p.label), text)
}

// replace puts blocks in place of the pressed message: through the press's response_url (no Web API tier is spent
// on it) or, when that fails or there is none, with chat.update. Both always carry text, the notification and
// screen-reader fallback Slack asks for. An ephemeral message can only be replaced through its response_url. A
// replaced message counts as sent.
func (a *Adapter) replace(ctx context.Context, p *pressed, blocks []slackapi.Block, text string) error {
	text = fallbackText(text, p.label)
	if p.responseURL != "" {
		err := a.respond(ctx, methodRespond, "", p.responseURL, &slackapi.WebhookMessage{
			ReplaceOriginal: true, Text: text, Blocks: &slackapi.Blocks{BlockSet: blocks}})
		if err == nil {
			a.m.Sent()
			return nil
		}
		if p.ephemeral {
			return err
		}
		a.log.Warn("slack: response_url refused the update, using chat.update", "err", err)
	}
	if p.ephemeral {
		return errors.New("an ephemeral message without a response_url cannot be replaced")
	}
	err := a.call(ctx, methodUpdate, "", func(ctx context.Context) error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, p.channel, p.ts,
			slackapi.MsgOptionBlocks(blocks...), slackapi.MsgOptionText(text, false))
		return err
	})
	if err != nil {
		return fmt.Errorf("chat.update: %w", err)
	}
	a.m.Sent()
	return nil
}

// fallbackText is a message's top-level text: never empty, because Slack shows it in notifications and reads it
// to screen readers, and chat.update without it leaves the old text there.
func fallbackText(text, label string) string {
	if strings.TrimSpace(text) != "" {
		return text
	}
	if label != "" {
		return "✓ " + escape(label)
	}
	return "✓"
}

// respond posts to a response_url. Only Slack's own hooks host (or the configured API host, for tests) is
// accepted: the URL arrives in a request, and the bot posts to no other place.
func (a *Adapter) respond(ctx context.Context, method, channel, rawURL string, msg *slackapi.WebhookMessage) error {
	u, err := url.Parse(rawURL)
	if err != nil || !a.trustedResponseHost(u) {
		return errors.New("response_url is not a Slack URL")
	}
	return a.call(ctx, method, channel, func(ctx context.Context) error {
		err := slackapi.PostWebhookCustomHTTPContext(ctx, rawURL, a.http, msg)
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL itself is a secret: keep it out of logs
		}
		return err
	})
}

func (a *Adapter) trustedResponseHost(u *url.URL) bool {
	if u.Scheme == "https" && (u.Host == "hooks.slack.com" || u.Host == "hooks.slack-gov.com") {
		return true
	}
	api, err := url.Parse(a.o.APIURL)
	return a.o.APIURL != "" && err == nil && u.Scheme == api.Scheme && u.Host == api.Host
}

// dm returns the user's direct-message channel with the bot, opening it once (conversations.open) and caching it.
func (a *Adapter) dm(ctx context.Context, user string) (string, error) {
	if ch, ok := a.dms.get(user); ok {
		return ch, nil
	}
	var id string
	err := a.call(ctx, methodOpen, "", func(ctx context.Context) error {
		ch, _, _, err := a.api.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: []string{user}})
		if err == nil {
			id = ch.ID
		}
		return err
	})
	if err != nil {
		if unreachable(err) {
			return "", flows.ErrUnreachable
		}
		return "", err
	}
	a.dms.put(user, id)
	return id, nil
}

// unreachable reports Slack errors that mean the user cannot get messages from the bot any more.
func unreachable(err error) bool {
	var se slackapi.SlackErrorResponse
	if !errors.As(err, &se) {
		return false
	}
	switch se.Err {
	case "user_not_found", "user_disabled", "account_inactive", "cannot_dm_bot", "user_not_visible":
		return true
	}
	return false
}

// channelUnusable reports errors that mean the bot cannot post to a channel (not invited, archived, wrong id).
func channelUnusable(err error) bool {
	var se slackapi.SlackErrorResponse
	if !errors.As(err, &se) {
		return false
	}
	return strings.Contains(" not_in_channel channel_not_found is_archived restricted_action ", " "+se.Err+" ")
}
