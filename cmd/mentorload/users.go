package main

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// user is one simulated officer: a Telegram account that onboards (in its language, as a member with an invite
// code or as a guest) and then uses the bot the way the programme expects: menus, /help, lessons, check-ins
// (members), settings and privacy, a few typed words, mostly by pressing the buttons the bot sent last.
type user struct {
	id     int64
	lang   string // en, da, ro: what the user picks at the language question
	hint   string // the Telegram language_code
	member bool

	mu        sync.Mutex
	rng       *rand.Rand
	code      string // invite code to type when asked; members only
	started   bool
	onboarded bool
	actions   int
}

// action is one update a user sends: a text (or command) or a button press under message msg.
type action struct {
	text string
	data string
	msg  int
}

func newUser(id int64, seed uint64, memberShare float64) *user {
	rng := rand.New(rand.NewPCG(seed, uint64(id)))
	u := &user{id: id, rng: rng}
	// Danish and Romanian officers use the bot in their language; some pick English.
	switch r := rng.IntN(10); {
	case r < 5:
		u.lang, u.hint = "da", "da-DK"
	case r < 8:
		u.lang, u.hint = "ro", "ro"
	default:
		u.lang, u.hint = "en", "en"
	}
	u.member = rng.Float64() < memberShare
	return u
}

// avoided are buttons a simulated user never presses: erasing everything or exporting it is a once-a-lifetime
// action, and "other time zone" / "own quiet hours" ask for typed input that the simulation does not produce.
func avoided(value, data string) bool {
	return value == "other" || value == "own" || strings.HasPrefix(data, "g:forget") || strings.HasPrefix(data, "g:export")
}

// value is a button's choice value: "s12:en" → "en"; a global payload ("g:menu …") stays as it is.
func value(data string) string {
	if strings.HasPrefix(data, "s") {
		if _, v, ok := strings.Cut(data, ":"); ok {
			return v
		}
	}
	return data
}

// next decides what the user does now, given what the bot last showed them.
func (u *user) next(v view) action {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.actions++
	if !u.started {
		u.started = true
		return action{text: "/start"}
	}
	if len(v.keyboard) > 0 {
		// The invite code question offers only "continue as guest".
		if len(v.keyboard) == 1 && value(v.keyboard[0].Data) == "guest" {
			if u.member && u.code != "" {
				c := u.code
				u.code = ""
				return action{text: c}
			}
			return action{data: v.keyboard[0].Data, msg: v.kbMsg}
		}
		if !u.onboarded || u.rng.IntN(100) < 85 {
			if b, ok := u.choose(v.keyboard); ok {
				return action{data: b.Data, msg: v.kbMsg}
			}
		}
	}
	if !u.onboarded {
		return action{text: "/start"}
	}
	return action{text: u.command()}
}

// choose picks the button to press: the answer that fits the user at the onboarding questions, any other at
// random.
func (u *user) choose(kb []button) (button, bool) {
	role := "guest"
	if u.member {
		role = "code"
	}
	zone := "Europe/Copenhagen"
	if u.lang == "ro" {
		zone = "Europe/Bucharest"
	}
	var open []button
	for _, b := range kb {
		val := value(b.Data)
		if avoided(val, b.Data) {
			continue
		}
		// While onboarding, answer the question rather than open the privacy page beside it.
		if !u.onboarded && !strings.HasPrefix(b.Data, "s") {
			continue
		}
		switch val {
		case u.lang, role, zone, "ok":
			return b, true
		case "22:00-07:00", "23:00-08:00":
			u.onboarded = true
			return b, true
		}
		open = append(open, b)
	}
	if len(open) == 0 {
		return button{}, false
	}
	return open[u.rng.IntN(len(open))], true
}

// command is what an onboarded user types when no button fits.
func (u *user) command() string {
	switch r := u.rng.IntN(100); {
	case r < 25:
		return "/menu"
	case r < 37:
		return "/help"
	case r < 55:
		if u.member {
			return "/checkin pulse"
		}
		return "/lessons"
	case r < 65:
		return "/lessons"
	case r < 73:
		return "/settings"
	case r < 78:
		return "/privacy"
	case r < 83:
		return "/cancel"
	default:
		return words[u.rng.IntN(len(words))]
	}
}

// words are free texts an officer might type; none is crisis wording (that path has its own benchmark).
var words = []string{"thanks", "ok", "hello", "long shift today, tired", "what can you do?", "3", "yes"}

type tgUser struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	Lang      string `json:"language_code,omitempty"`
}

type tgChat struct {
	ID   int64  `json:"id"`
	Type string `json:"type"`
}

type tgMessage struct {
	MessageID int64   `json:"message_id"`
	Date      int64   `json:"date"`
	Text      string  `json:"text,omitempty"`
	From      *tgUser `json:"from,omitempty"`
	Chat      tgChat  `json:"chat"`
}

type tgCallback struct {
	ID           string    `json:"id"`
	From         tgUser    `json:"from"`
	ChatInstance string    `json:"chat_instance"`
	Data         string    `json:"data"`
	Message      tgMessage `json:"message"`
}

type tgUpdate struct {
	UpdateID int64       `json:"update_id"`
	Message  *tgMessage  `json:"message,omitempty"`
	Callback *tgCallback `json:"callback_query,omitempty"`
}

// body is the webhook body Telegram would post for the action.
func (u *user) body(updateID int64, a action) []byte {
	from := tgUser{ID: u.id, FirstName: "Load", Lang: u.hint}
	now := time.Now().Unix()
	up := tgUpdate{UpdateID: updateID}
	if a.data != "" {
		up.Callback = &tgCallback{
			ID: "cb" + itoa(updateID), From: from, ChatInstance: "1", Data: a.data,
			Message: tgMessage{MessageID: int64(a.msg), Date: now, Text: "…", Chat: tgChat{ID: u.id, Type: "private"}},
		}
	} else {
		up.Message = &tgMessage{MessageID: updateID, Date: now, Text: a.text, From: &from, Chat: tgChat{ID: u.id, Type: "private"}}
	}
	b, _ := json.Marshal(up)
	return b
}
