package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	slackapi "github.com/slack-go/slack"

	"github.com/m4pris/mentorbot/flows"
)

// deliver sends replies for user to the target of the action they answer. Errors are logged, never the text.
func (a *Adapter) deliver(ctx context.Context, user string, to target, replies []flows.Reply) {
	for _, r := range replies {
		if r.ClosePressed {
			if err := a.closePressed(ctx, to.pressed); err != nil {
				a.log.Warn("slack: update pressed message", "err", err)
			}
		}
		var err error
		switch {
		case r.File != nil:
			err = a.sendFile(ctx, user, to, r)
		case r.Text != "" || len(r.Buttons) > 0:
			err = a.post(ctx, user, to, r)
		}
		if err != nil {
			a.log.Error("slack: send reply", "err", err)
		}
	}
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

// postAll posts replies to channel, paced.
func (a *Adapter) postAll(ctx context.Context, channel string, replies []flows.Reply) error {
	for _, r := range replies {
		for _, m := range a.render(r) {
			err := a.pace.do(ctx, channel, func() error {
				_, _, err := a.api.PostMessageContext(ctx, channel,
					slackapi.MsgOptionBlocks(m.blocks...), slackapi.MsgOptionText(m.fallback, false))
				return err
			})
			if err != nil {
				return fmt.Errorf("post message: %w", err)
			}
			a.m.Sent()
		}
	}
	return nil
}

func (a *Adapter) postEphemeral(ctx context.Context, to target, r flows.Reply) error {
	for _, m := range a.render(r) {
		msg := &slackapi.WebhookMessage{ResponseType: slackapi.ResponseTypeEphemeral, Text: m.fallback,
			Blocks: &slackapi.Blocks{BlockSet: m.blocks}}
		if err := a.respond(ctx, to.responseURL, msg); err != nil {
			return err
		}
		a.m.Sent()
	}
	return nil
}

// closePressed replaces the pressed message with itself minus its buttons plus the choice made.
func (a *Adapter) closePressed(ctx context.Context, p *pressed) error {
	if p == nil || p.ts == "" {
		return nil
	}
	blocks := chosen(p.blocks, p.label)
	if p.ephemeral {
		return a.respond(ctx, p.responseURL, &slackapi.WebhookMessage{
			ReplaceOriginal: true, Text: escape(p.label), Blocks: &slackapi.Blocks{BlockSet: blocks}})
	}
	return a.pace.do(ctx, "", func() error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, p.channel, p.ts, slackapi.MsgOptionBlocks(blocks...))
		if err != nil {
			return fmt.Errorf("chat.update: %w", err)
		}
		return nil
	})
}

// respond posts to a response_url. Only Slack's own hooks host (or the configured API host, for tests) is
// accepted: the URL arrives in a request, and the bot posts to no other place.
func (a *Adapter) respond(ctx context.Context, rawURL string, msg *slackapi.WebhookMessage) error {
	u, err := url.Parse(rawURL)
	if err != nil || !a.trustedResponseHost(u) {
		return errors.New("response_url is not a Slack URL")
	}
	return a.pace.do(ctx, "", func() error {
		err := slackapi.PostWebhookCustomHTTPContext(ctx, rawURL, a.http, msg)
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL itself is a secret: keep it out of logs
		}
		if err != nil {
			return fmt.Errorf("response_url: %w", err)
		}
		return nil
	})
}

func (a *Adapter) trustedResponseHost(u *url.URL) bool {
	if u.Scheme == "https" && (u.Host == "hooks.slack.com" || u.Host == "hooks.slack-gov.com") {
		return true
	}
	api, err := url.Parse(a.o.APIURL)
	return a.o.APIURL != "" && err == nil && u.Scheme == api.Scheme && u.Host == api.Host
}

// sendFile uploads a file (the /export) to the user's DM, never to a channel, with its text before it.
func (a *Adapter) sendFile(ctx context.Context, user string, to target, r flows.Reply) error {
	dm, err := a.dm(ctx, user)
	if err != nil {
		return err
	}
	if to.channel != "" && to.channel != dm && to.responseURL != "" {
		note := flows.Reply{Text: a.eng.Content().T(a.langOf(ctx, user), "slack.file_in_dm", nil)}
		if err := a.postEphemeral(ctx, to, note); err != nil {
			a.log.Warn("slack: ephemeral note failed", "err", err)
		}
	}
	if r.Text != "" {
		if err := a.postAll(ctx, dm, []flows.Reply{{Text: r.Text}}); err != nil {
			return err
		}
	}
	return a.pace.do(ctx, dm, func() error {
		_, err := a.api.UploadFileContext(ctx, slackapi.UploadFileParameters{
			Channel: dm, Filename: r.File.Name, Title: r.File.Name, FileSize: len(r.File.Data),
			Reader: bytes.NewReader(r.File.Data),
		})
		if err != nil {
			return fmt.Errorf("upload file: %w", err)
		}
		a.m.Sent()
		return nil
	})
}

// dm returns the user's direct-message channel with the bot, opening it once (conversations.open) and caching it.
func (a *Adapter) dm(ctx context.Context, user string) (string, error) {
	if ch, ok := a.dms.get(user); ok {
		return ch, nil
	}
	ch, _, _, err := a.api.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: []string{user}})
	if err != nil {
		if unreachable(err) {
			return "", flows.ErrUnreachable
		}
		return "", fmt.Errorf("conversations.open: %w", err)
	}
	a.dms.put(user, ch.ID)
	return ch.ID, nil
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
