package telegram

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/go-telegram/bot/models"

	"github.com/m4pris/mentorbot/flows"
)

// inbound is one Telegram update as the adapter handles it.
type inbound struct {
	// kind is what the update is, for logs and metrics: "message", "callback", "unsupported" or "ignored".
	kind string
	ev   flows.Event
	// chat is the private chat to answer in (equal to the user id); 0 for ignored updates.
	chat int64
	// callback is the callback query id to answer; pressed the message whose keyboard was pressed.
	callback string
	pressed  int
}

// Kinds of update.
const (
	kindMessage     = "message"
	kindCallback    = "callback"
	kindUnsupported = "unsupported" // a private message without text (photo, voice, sticker)
	kindIgnored     = "ignored"     // groups, channels, edits, other update types
)

// errBadUpdate is a body that is not a Telegram update.
var errBadUpdate = errors.New("not a telegram update")

// DecodeUpdate parses a webhook body or one getUpdates entry.
func DecodeUpdate(body []byte) (*models.Update, error) {
	var u models.Update
	if err := json.Unmarshal(body, &u); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadUpdate, err)
	}
	if u.ID <= 0 {
		return nil, fmt.Errorf("%w: no update_id", errBadUpdate)
	}
	return &u, nil
}

// Identity is the flows identity of a Telegram user.
func Identity(userID int64) flows.Identity {
	return flows.Identity{Platform: flows.Telegram, ID: strconv.FormatInt(userID, 10)}
}

// EventID is the engine's dedupe id of an update: a redelivery carries the same update_id.
func EventID(updateID int64) string { return "tg:" + strconv.FormatInt(updateID, 10) }

// convert turns an update into what the engine and the renderer need. Only private chats with people are handled:
// the bot's replies carry personal data, so a group never gets one, and bots are not users.
func convert(u *models.Update) inbound {
	switch {
	case u.Message != nil:
		m := u.Message
		if m.Chat.Type != models.ChatTypePrivate || m.From == nil || m.From.IsBot || m.From.ID <= 0 || m.From.ID != m.Chat.ID {
			return inbound{kind: kindIgnored}
		}
		in := inbound{kind: kindMessage, chat: m.Chat.ID}
		text := m.Text
		if text == "" {
			text = m.Caption
		}
		if text == "" {
			in.kind = kindUnsupported
		}
		in.ev = flows.TextEvent(Identity(m.From.ID), text)
		fill(&in.ev, u.ID, m.From)
		return in
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		in := inbound{kind: kindCallback, callback: q.ID}
		var chat models.Chat
		switch {
		case q.Message.Message != nil:
			chat, in.pressed = q.Message.Message.Chat, q.Message.Message.ID
		case q.Message.InaccessibleMessage != nil:
			chat, in.pressed = q.Message.InaccessibleMessage.Chat, q.Message.InaccessibleMessage.MessageID
		}
		// An inaccessible message may carry no chat type: the chat id equal to the user's is what marks it private.
		if q.From.IsBot || q.From.ID <= 0 || chat.ID != q.From.ID || (chat.Type != "" && chat.Type != models.ChatTypePrivate) {
			// Still answered, so the button stops spinning; the user id only orders the outbox.
			return inbound{kind: kindIgnored, callback: q.ID, chat: q.From.ID}
		}
		in.chat = chat.ID
		in.ev = flows.Event{From: Identity(q.From.ID), Payload: q.Data}
		if q.Data == "" {
			// A game or an empty payload: nothing for the engine; the query is still answered.
			in.kind = kindIgnored
		}
		fill(&in.ev, u.ID, &q.From)
		return in
	}
	return inbound{kind: kindIgnored}
}

func fill(ev *flows.Event, updateID int64, from *models.User) {
	ev.ID = EventID(updateID)
	ev.LangHint = from.LanguageCode
	ev.Name = from.FirstName
}
