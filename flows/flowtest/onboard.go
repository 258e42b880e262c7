package flowtest

import (
	"strings"

	"github.com/m4pris/mentorbot/flows"
)

// Onboarding is the tap sequence of an English onboarding, shared by the tests of every layer (the harness here,
// the Telegram and Slack fakes in bot/* and cmd) so that a change to the onboarding is made in one place.
type Onboarding struct {
	// First is what the user sends first; "" means "/start".
	First string
	// KeepScores and Alerts are the answers to the two consent questions.
	KeepScores, Alerts bool
	// Code is an invite code to type; "" continues as a guest.
	Code string
	// Quiet is the label of the quiet-hours button; "" means "22:00–07:00".
	Quiet string
	// Role is the role the invite code gives ("mentee"); "" expects any. Name is the first name the bot greets
	// the person with at the end; "" expects any.
	Role, Name string
}

// Run takes the steps: say types text, press taps a button, expect waits for (or checks) a reply containing the
// text. Each step's expectation comes right after it, in the order the bot answers.
func (o Onboarding) Run(say, press, expect func(string)) {
	say(or(o.First, "/start"))
	expect("Choose your language")
	press("English")
	expect("run by your union")
	press("Sounds good")
	expect("keep your scores")
	press(pick(o.KeepScores, "Yes, keep them", "No, don't keep"))
	expect("let a coordinator know")
	press(pick(o.Alerts, "Yes, you may offer", "No"))
	expect("invite code")
	if o.Code == "" {
		press("Continue as guest")
	} else {
		press("I have a code")
		expect("Type your invite code")
		say(o.Code)
		expect(strings.TrimSpace("joined as " + o.Role))
	}
	expect("time zone")
	press("Denmark")
	expect("quiet")
	press(or(o.Quiet, "22:00–07:00"))
	if o.Name != "" {
		expect("You're all set, " + o.Name)
	} else {
		expect("You're all set")
	}
}

// Onboard takes user (shown as name) through o on the harness, checking each step's reply.
func (h *Harness) Onboard(user, name string, o Onboarding) {
	h.T.Helper()
	var last []flows.Reply
	first := true
	o.Run(func(text string) {
		h.T.Helper()
		ev := flows.TextEvent(Identity(user), text)
		if first {
			ev.Name, first = name, false
		}
		last = h.Send(user, ev)
	}, func(label string) {
		h.T.Helper()
		last = h.Press(user, label)
	}, func(want string) {
		h.T.Helper()
		if got := Text(last); !strings.Contains(got, want) {
			h.T.Fatalf("onboarding %s: no reply contains %q:\n%s", user, want, got)
		}
	})
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func pick(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}
