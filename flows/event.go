package flows

import (
	"strings"
	"unicode/utf8"
)

// Platform names the chat platform an identity lives on.
type Platform string

// Platforms the bot speaks on.
const (
	Telegram Platform = "telegram"
	Slack    Platform = "slack"
	Console  Platform = "console"
)

// Identity is one platform account. One person may have several, linked to one Profile.
type Identity struct {
	Platform Platform `json:"platform"`
	ID       string   `json:"id"`
}

func (i Identity) String() string { return string(i.Platform) + ":" + i.ID }

// ParseIdentity reads "platform:id" as written in MENTORBOT_ADMINS.
func ParseIdentity(s string) (Identity, bool) {
	p, id, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || id == "" {
		return Identity{}, false
	}
	switch Platform(p) {
	case Telegram, Slack, Console:
		return Identity{Platform: Platform(p), ID: id}, true
	}
	return Identity{}, false
}

// Limits on what the engine accepts from a user.
const (
	// MaxTextRunes is the longest text the engine reads; longer input is refused with a kind reply.
	MaxTextRunes = 4000
	// MaxPayload is the longest button payload (Telegram's callback_data limit).
	MaxPayload = 64
)

// Event is one thing that happened: a user typed, sent a command or pressed a button, or the system delivered a
// scheduled job to a user.
type Event struct {
	// ID identifies the platform update (e.g. "tg:123456") so a redelivery is recognised; empty means no dedupe.
	ID string
	// From is the platform account that sent the event. Empty for internal events.
	From Identity
	// Profile addresses an internal event to a profile directly. Adapters never set it.
	Profile string
	// LangHint is the platform's language code for the user (e.g. "da-DK"), used as a default on first contact.
	LangHint string
	// Name is a display name from the platform, kept only in memory for greetings.
	Name string

	Text    string // free text, when the user typed
	Command string // command without slash, lower-case, when the user sent one ("start")
	Args    string // the rest of the command line
	Payload string // raw button payload, when the user pressed a button

	// Job names an internal job ("checkin.prompt"); set only by the delivery queue.
	Job Job
}

// Internal reports whether the event came from the system rather than from a user.
func (e Event) Internal() bool { return e.Job != "" }

// TextEvent builds the event for a typed line: "/cmd args" becomes a command, anything else text.
// Telegram's "/cmd@botname" form is understood.
func TextEvent(from Identity, text string) Event {
	ev := Event{From: from}
	t := strings.TrimSpace(text)
	if strings.HasPrefix(t, "/") && len(t) > 1 {
		head, rest, _ := strings.Cut(t[1:], " ")
		head, _, _ = strings.Cut(head, "@")
		if isCommandName(head) {
			ev.Command = strings.ToLower(head)
			ev.Args = strings.TrimSpace(rest)
			return ev
		}
	}
	ev.Text = text
	return ev
}

func isCommandName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// textTooLong reports whether a text exceeds what the engine reads.
func textTooLong(s string) bool {
	return len(s) > MaxTextRunes*4 || utf8.RuneCountInString(s) > MaxTextRunes
}
