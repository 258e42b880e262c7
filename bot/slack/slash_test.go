package slack_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/m4pris/mentorbot/bot/slack"
	"github.com/m4pris/mentorbot/bot/slack/slackfake"
	"github.com/m4pris/mentorbot/flows"
)

var codeRe = regexp.MustCompile(`[0-9A-Z]{5}-[0-9A-Z]{5}`)

func TestCoordinatorInvitesWithTheSlashCommand(t *testing.T) {
	for _, m := range []mode{socketMode, httpMode} {
		t.Run([]string{"socket mode", "http mode"}[m], func(t *testing.T) {
			e := start(t, m, nil)
			c := e.user(coord)
			onboard(t, c)
			// In a channel, only the coordinator may see the codes: the answer is ephemeral.
			c.Slash(t, "CSTAFF", "/mentor", "invite mentor 3")
			msg := c.Expect(t, "Here are 3 invite codes for a mentor")
			if !msg.Ephemeral || msg.User != coord || msg.Channel != "CSTAFF" {
				t.Fatalf("invite answer: ephemeral=%v user=%q channel=%q", msg.Ephemeral, msg.User, msg.Channel)
			}
			if n := len(codeRe.FindAllString(msg.Body(), -1)); n != 3 {
				t.Fatalf("%d codes in %q", n, msg.Body())
			}
			for _, posted := range e.fake.Messages("CSTAFF") {
				if !posted.Ephemeral {
					t.Fatalf("a public message in the channel: %q", posted.Body())
				}
			}
			// Without arguments the role is asked, still privately; the choice closes the question.
			c.Slash(t, "CSTAFF", "/mentor", "invite")
			q := c.Expect(t, "Which role is the invite for?")
			if !q.Ephemeral {
				t.Fatal("the role question was public")
			}
			c.Press(t, "mentee")
			if got := c.Expect(t, "invite code for a mentee"); !got.Ephemeral {
				t.Fatal("the code was public")
			}
			e.fake.Wait(t, "the role question to close", func() bool {
				for _, m := range e.fake.Messages("CSTAFF") {
					if m.TS == q.TS {
						return m.Updates == 1 && len(m.Buttons()) == 0 && strings.Contains(m.Body(), "✓ mentee")
					}
				}
				return false
			})
			// A new mentor joins with one of the codes.
			code := codeRe.FindString(msg.Body())
			u := e.user("UMENTOR")
			u.Say(t, "hello")
			u.Press(t, "English")
			u.Press(t, "Sounds good")
			u.Press(t, "No, don't keep")
			u.Press(t, "No")
			u.Press(t, "I have a code")
			u.Expect(t, "Type your invite code")
			u.Say(t, code)
			u.Expect(t, "joined as mentor")
		})
	}
}

func TestSlashCommandForms(t *testing.T) {
	e := start(t, socketMode, nil)
	u := e.user("U7")
	onboard(t, u)
	// "/mentor" alone is the menu; in the DM with the bot the answer is a normal message.
	u.Slash(t, "", "/mentor", "")
	msg := u.Expect(t, "What would you like to do?")
	if msg.Ephemeral {
		t.Error("the menu in the DM was ephemeral")
	}
	// Commands named in texts read the way Slack users type them.
	u.Slash(t, "", "/mentor", "help")
	help := u.Expect(t, "/mentor privacy")
	if strings.Contains(help.Body(), "\n/privacy") {
		t.Errorf("help still names /privacy: %q", help.Body())
	}
	// Not a command: typed text, answered like a message.
	u.Slash(t, "", "/mentor", "hello there")
	u.Expect(t, "work best with buttons")
	// Coordinator commands stay closed to others.
	u.Slash(t, "CSOME", "/mentor", "invite mentor")
	if msg := u.Expect(t, "only for coordinators"); !msg.Ephemeral {
		t.Error("the refusal in a channel was public")
	}
	// Another app's command is not ours.
	u.Slash(t, "", "/other", "menu")
	u.Slash(t, "", "/mentor", "privacy")
	u.Expect(t, "What I keep about you")
	menus := 0
	for _, m := range e.fake.Messages(slackfake.DM("U7")) {
		if strings.Contains(m.Body(), "What would you like to do?") {
			menus++
		}
	}
	if menus != 1 {
		t.Fatalf("%d menus, want 1: the other app's command was answered", menus)
	}
}

func TestExportIsUploadedToTheDM(t *testing.T) {
	e := start(t, socketMode, nil)
	u := e.user("U8")
	onboard(t, u)
	u.Slash(t, "CPUBLIC", "/mentor", "export")
	u.Expect(t, "sent the file to our direct messages")
	e.fake.Wait(t, "the export file", func() bool {
		for _, m := range e.fake.Messages(slackfake.DM("U8")) {
			if m.File != nil && m.File.Name == "mentorbot-export.json" && strings.Contains(string(m.File.Data), `"mentorbot-export/1"`) {
				return true
			}
		}
		return false
	})
	for _, m := range e.fake.Messages("CPUBLIC") {
		if m.File != nil {
			t.Fatal("the export went to a channel")
		}
	}
}

func TestCustomSlashCommandName(t *testing.T) {
	e := start(t, httpMode, func(_ *env, o *slack.Options) { o.Command = "/mentorbot" })
	u := e.user("U9")
	u.Slash(t, "", "/mentorbot", "help")
	u.Expect(t, "/mentorbot privacy")
}

func TestLinkingASlackAccountToAnotherPlatform(t *testing.T) {
	e := start(t, socketMode, nil)
	ctx := context.Background()
	// Anna made a link code on her other account (a console identity stands in for Telegram here).
	other := flows.Identity{Platform: flows.Console, ID: "anna"}
	for _, text := range []string{"/start"} {
		if _, err := e.eng.Handle(ctx, flows.TextEvent(other, text)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := e.eng.Handle(ctx, flows.TextEvent(other, "/link"))
	if err != nil {
		t.Fatal(err)
	}
	code := codeRe.FindString(res.Replies[0].Text)
	u := e.user("UANNA")
	u.Slash(t, "", "/mentor", "link "+code)
	u.Expect(t, "your accounts are linked")
	pid := flows.ProfileID(other)
	p, _ := e.store.Profile(ctx, pid)
	if p == nil || len(p.Identities) != 2 || p.Identities[1] != (flows.Identity{Platform: flows.Slack, ID: "UANNA"}) {
		t.Fatalf("profile after linking: %+v", p)
	}
	// From now on the Slack account continues the other account's conversation.
	u.Say(t, "English")
	u.Expect(t, "run by your union")
}
