package slackfake

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Button is a button of a message.
type Button struct {
	ActionID, BlockID, Label, Value string
}

type block struct {
	Type    string `json:"type"`
	BlockID string `json:"block_id"`
	Text    *struct {
		Text string `json:"text"`
	} `json:"text"`
	Elements []element `json:"elements"`
}

// element is a button (text is an object) or a context element (text is a string).
type element struct {
	Type     string          `json:"type"`
	ActionID string          `json:"action_id"`
	Value    string          `json:"value"`
	RawText  json.RawMessage `json:"text"`
}

func (e element) text() string {
	var s string
	if json.Unmarshal(e.RawText, &s) == nil {
		return s
	}
	var o struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(e.RawText, &o)
	return o.Text
}

func blocksOf(raw json.RawMessage) []block {
	var bs []block
	_ = json.Unmarshal(raw, &bs)
	return bs
}

// Body is the message's visible text: its section and context blocks (mrkdwn, as sent), or the plain text.
func (m Message) Body() string {
	var parts []string
	for _, b := range blocksOf(m.Blocks) {
		switch {
		case b.Text != nil:
			parts = append(parts, b.Text.Text)
		case b.Type == "context":
			for _, e := range b.Elements {
				parts = append(parts, e.text())
			}
		}
	}
	if len(parts) == 0 {
		return m.Text
	}
	return strings.Join(parts, "\n")
}

// BlockTypes lists the types of the message's blocks.
func (m Message) BlockTypes() []string {
	var out []string
	for _, b := range blocksOf(m.Blocks) {
		out = append(out, b.Type)
	}
	return out
}

// Buttons lists the message's buttons in order.
func (m Message) Buttons() []Button {
	var out []Button
	for _, b := range blocksOf(m.Blocks) {
		if b.Type != "actions" {
			continue
		}
		for _, e := range b.Elements {
			if e.Type == "button" {
				out = append(out, Button{ActionID: e.ActionID, BlockID: b.BlockID, Label: e.text(), Value: e.Value})
			}
		}
	}
	return out
}

// Envelope wraps an inner event as the Events API sends it.
func Envelope(eventID string, inner any) json.RawMessage {
	return mustJSON(obj{"token": "t", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
		"event_id": eventID, "event_time": 1700000000, "event": inner})
}

// DirectMessage is the event_callback for a user's message in their DM with the bot.
func DirectMessage(eventID, user, text string) json.RawMessage {
	return Envelope(eventID, obj{"type": "message", "channel_type": "im", "channel": DM(user), "user": user,
		"text": text, "ts": "1700000001.000100", "event_ts": "1700000001.000100"})
}

// HomeOpened is the event_callback for a user opening the App Home tab.
func HomeOpened(eventID, user string) json.RawMessage {
	return Envelope(eventID, obj{"type": "app_home_opened", "user": user, "channel": DM(user), "tab": "home",
		"event_ts": "1700000001.000200"})
}

// BlockActions is the interaction payload of user pressing button b of message m, with a working response_url.
func (s *Server) BlockActions(user string, m Message, b Button) json.RawMessage {
	s.mu.Lock()
	s.nextID++
	trigger := fmt.Sprintf("trigger-%d", s.nextID)
	s.mu.Unlock()
	resp := s.responseURL(&respondTarget{channel: m.Channel, user: user, msg: s.lookup(m)})
	return mustJSON(obj{
		"type": "block_actions", "user": obj{"id": user, "username": "u"}, "api_app_id": "A1",
		"trigger_id": trigger, "response_url": resp,
		"container": obj{"type": "message", "message_ts": m.TS, "channel_id": m.Channel, "is_ephemeral": m.Ephemeral},
		"channel":   obj{"id": m.Channel},
		"message":   obj{"type": "message", "ts": m.TS, "text": m.Text, "blocks": orDefault(m.Blocks)},
		"actions": []obj{{"action_id": b.ActionID, "block_id": b.BlockID, "type": "button", "value": b.Value,
			"text": obj{"type": "plain_text", "text": b.Label}, "action_ts": "1700000002.000100"}},
	})
}

// lookup finds the stored message m is a copy of.
func (s *Server) lookup(m Message) *Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.msgs {
		if x.Channel == m.Channel && x.TS == m.TS {
			return x
		}
	}
	return nil
}

func orDefault(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("[]")
	}
	return b
}

// SlashCommand is the form Slack posts for "command text" typed by user in channel, with a working response_url.
func (s *Server) SlashCommand(user, channel, command, text string) url.Values {
	s.mu.Lock()
	s.nextID++
	trigger := fmt.Sprintf("trigger-%d", s.nextID)
	s.mu.Unlock()
	resp := s.responseURL(&respondTarget{channel: channel, user: user})
	return url.Values{
		"token": {"t"}, "team_id": {"T1"}, "channel_id": {channel}, "user_id": {user}, "user_name": {"u"},
		"command": {command}, "text": {text}, "response_url": {resp}, "trigger_id": {trigger}, "api_app_id": {"A1"},
	}
}

// SlashJSON is the Socket Mode payload of a slash command form.
func SlashJSON(form url.Values) json.RawMessage {
	m := obj{}
	for k := range form {
		m[k] = form.Get(k)
	}
	return mustJSON(m)
}

// HomeButton is the interaction payload of user pressing the button labelled label on their App Home tab.
func (s *Server) HomeButton(user, label string) (json.RawMessage, bool) {
	var view struct {
		Blocks json.RawMessage `json:"blocks"`
	}
	_ = json.Unmarshal(s.Home(user), &view)
	home := Message{Blocks: view.Blocks}
	for _, b := range home.Buttons() {
		if b.Label != label {
			continue
		}
		s.mu.Lock()
		s.nextID++
		trigger := fmt.Sprintf("trigger-%d", s.nextID)
		s.mu.Unlock()
		return mustJSON(obj{
			"type": "block_actions", "user": obj{"id": user}, "api_app_id": "A1", "trigger_id": trigger,
			"container": obj{"type": "view", "view_id": "V1"}, "view": obj{"id": "V1", "type": "home"},
			"actions": []obj{{"action_id": b.ActionID, "block_id": b.BlockID, "type": "button", "value": b.Value,
				"text": obj{"type": "plain_text", "text": b.Label}, "action_ts": "1700000003.000100"}},
		}), true
	}
	return nil, false
}
