package telegram

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
)

// TestOnboardingOverTelegram runs the onboarding transcript (a coordinator, then an officer joining with the
// coordinator's invite code) through the real adapter, in both intake modes, against the fake Bot API.
func TestOnboardingOverTelegram(t *testing.T) {
	for _, mode := range []string{"webhook", "polling"} {
		t.Run(mode, func(t *testing.T) {
			conn := openRedis(t)
			coord := telegramtest.User{ID: 1001, FirstName: "Chris", Lang: "en"}
			eng, _ := engineOn(t, conn, programmeFlows, Identity(coord.ID))
			api := telegramtest.New(t)
			h := start(t, api, eng, conn, mode == "webhook", nil)

			c := api.Person(coord, h.deliver())
			c.Say(t, "/start")
			c.Expect(t, "Choose your language")
			c.Press(t, "English")
			c.Expect(t, "mentorbot")
			c.Press(t, "Sounds good")
			c.Press(t, "Yes, keep them")
			c.Press(t, "Yes, you may offer")
			c.Press(t, "Continue as guest")
			c.Press(t, "Denmark")
			c.Press(t, "22:00–07:00")
			c.Expect(t, "You're all set, Chris")
			c.Say(t, "/invite mentee 1")
			codes := c.Expect(t, "invite code")
			code := regexp.MustCompile(`[0-9A-Z]{5}-[0-9A-Z]{5}`).FindString(codes.Plain)
			if code == "" {
				t.Fatalf("no code in %q", codes.Plain)
			}

			anna := api.Person(telegramtest.User{ID: 2002, FirstName: "Anna", Lang: "en-GB"}, h.deliver())
			anna.Say(t, "hello")
			lang := anna.Expect(t, "Choose your language")
			if got := buttonTexts(lang.Keyboard); got != "English | Dansk | Română" {
				t.Errorf("language buttons = %q", got)
			}
			anna.Press(t, "English")
			// The pressed keyboard is removed, so the same choice cannot be made twice.
			api.Wait(t, waitLong, "the language keyboard removed", func() bool { return api.Keyboard(lang.MessageID) == nil })
			anna.Expect(t, "run by your union")
			anna.Press(t, "Sounds good")
			anna.Press(t, "No, don't keep")
			anna.Press(t, "Yes, you may offer")
			anna.Press(t, "I have a code")
			anna.Expect(t, "Type your invite code")
			anna.Say(t, "<b>not a code</b> & more")
			anna.Expect(t, "doesn't look like an invite code")
			anna.Say(t, code)
			anna.Expect(t, "joined as mentee")
			anna.Press(t, "Somewhere else")
			anna.Say(t, "Europe/Berlin")
			anna.Press(t, "Set my own")
			anna.Say(t, "21-6")
			// The name comes from Telegram's first_name.
			anna.Expect(t, "You're all set, Anna! Quiet hours: 21:00–06:00")
			anna.Say(t, "/privacy")
			anna.Expect(t, "Role: mentee")

			// Every callback query was answered.
			answered := map[string]bool{}
			for _, c := range api.Calls() {
				if c.Method == "answerCallbackQuery" && c.Status == 200 {
					answered[c.Callback] = true
				}
			}
			presses := 0
			for _, c := range api.Calls() {
				if c.Method == "editMessageReplyMarkup" {
					presses++
				}
			}
			if len(answered) != 14 || presses != 14 {
				t.Errorf("answered %d callback queries and removed %d keyboards; want each of the 14 presses", len(answered), presses)
			}
			// Nothing the users typed, and no Telegram id, reaches the log.
			logs := h.logs.String()
			for _, secret := range []string{code, "not a code", "Europe/Berlin", strconv.Itoa(int(anna.ID)), strconv.Itoa(int(coord.ID)), telegramtest.Token} {
				if strings.Contains(logs, secret) {
					t.Errorf("log contains %q:\n%s", secret, logs)
				}
			}
			if mode == "polling" {
				if api.Confirmed() == 0 {
					t.Error("polling never confirmed an offset")
				}
			} else if url, secret := api.Webhook(); url != "https://bot.example.org/telegram/webhook" || secret != testSecret {
				t.Errorf("setWebhook got url %q secret %q", url, secret)
			}
		})
	}
}

func buttonTexts(kb [][]telegramtest.Button) string {
	var out []string
	for _, row := range kb {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return strings.Join(out, " | ")
}

// TestProfileCommands checks the command menu and descriptions set at start-up, per language.
func TestProfileCommands(t *testing.T) {
	conn := openRedis(t)
	eng, _ := engineOn(t, conn, programmeFlows)
	api := telegramtest.New(t)
	start(t, api, eng, conn, true, nil)
	api.Wait(t, waitLong, "the Romanian short description", func() bool { _, s := api.Description("ro"); return s != "" })

	def := api.Commands("")
	if !contains(def, "menu – Everything I can do") || !contains(def, "privacy – ") || !contains(def, "cancel – ") {
		t.Errorf("default (English) commands = %q", def)
	}
	if contains(def, "invite") {
		t.Errorf("coordinator command in the public menu: %q", def)
	}
	// Commands no flow registers (yet) are not offered.
	if contains(def, "sessions – ") && !contains(eng.Commands(), "sessions") {
		t.Errorf("menu offers an unregistered command: %q", def)
	}
	if da := api.Commands("da"); !contains(da, "menu – Alt, hvad jeg kan") {
		t.Errorf("Danish commands = %q", da)
	}
	if ro := api.Commands("ro"); !contains(ro, "forget – Șterge tot ce știu despre tine") {
		t.Errorf("Romanian commands = %q", ro)
	}
	if long, short := api.Description("da"); !strings.Contains(long, "Kriminalforsorgen") || short == "" {
		t.Errorf("Danish description = %q / %q", long, short)
	}
}
