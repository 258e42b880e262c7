package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/bot/slack/slackfake"
	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/checkin"
)

// What each of the check-in's alert tasks says (content/ui/checkin.en.yaml).
const (
	raiseText     = "asked for a coordinator to get in touch as soon as possible" // alert.raise, to the coordinators
	escalateText  = "no coordinator has picked up your request yet"               // alert.escalate, to the person
	ackedText     = "has picked up your request"                                  // alert.acked, to the person
	inviteCodeFmt = `[0-9A-Z]{5}-[0-9A-Z]{5}`
)

// escalateNow runs the alert's first escalation as the queue would when nobody took it in time (two hours later;
// MENTORBOT_ALERT_ESCALATE cannot go under a minute). With one coordinator the person is told nobody answered.
func escalateNow(t *testing.T, m *Main, subject flows.Identity) {
	t.Helper()
	ctx := context.Background()
	pid := flows.ProfileID(subject)
	p, err := m.Store.Profile(ctx, pid)
	if err != nil || p == nil || len(p.Checkins.Alerts) != 1 {
		t.Fatalf("the person's alert: %+v, %v", p, err)
	}
	id := p.Checkins.Alerts[0]
	task := flows.Task{ID: "alert:" + id + ":esc0", Profile: pid, Job: checkin.JobEscalate, Args: id + " 0"}
	if err := m.Engine.RunTask(ctx, task); err != nil {
		t.Fatal(err)
	}
}

// TestAlertTasksReachTheirAudienceOnTelegram: the alert reaches the coordinator's chat; the escalation's "nobody
// has picked it up" and the acknowledgement reach the person who asked, never the coordinator.
func TestAlertTasksReachTheirAudienceOnTelegram(t *testing.T) {
	redistest.Open(t, redistest.DBSpare2) // flushed
	tg := telegramtest.New(t)
	s := startServe(t, map[string]string{
		"REDIS_URL": redistest.URL(t, redistest.DBSpare2), "MENTORBOT_ADMINS": "telegram:5101",
		"TELEGRAM_BOT_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": tg.URL,
	})
	coord := tg.Person(telegramtest.User{ID: 5101, FirstName: "Hanne", Lang: "en"}, tg.ViaQueue)
	onboardTelegram(t, coord, "", "No quiet hours")
	coord.Say(t, "/invite mentee")
	code := regexp.MustCompile(inviteCodeFmt).FindString(coord.Expect(t, "invite code for a mentee").Plain)
	person := tg.Person(telegramtest.User{ID: 5102, FirstName: "Jonas", Lang: "en"}, tg.ViaQueue)
	onboardTelegram(t, person, code, "No quiet hours")

	person.Say(t, "I want to die")
	person.Press(t, "Ask a coordinator")
	person.Expect(t, "I've asked a coordinator")
	coord.Expect(t, raiseText)

	escalateNow(t, s.Main, flows.Identity{Platform: flows.Telegram, ID: "5102"})
	person.Expect(t, escalateText)

	coord.Press(t, "I'll take it")
	coord.Expect(t, "it's yours")
	person.Expect(t, ackedText)

	for _, c := range tg.Messages(5101) {
		if strings.Contains(c.Plain, escalateText) || strings.Contains(c.Plain, ackedText) {
			t.Errorf("the coordinator got the person's message %q", c.Plain)
		}
	}
	for _, c := range tg.Messages(5102) {
		if strings.Contains(c.Plain, raiseText) {
			t.Errorf("the person got the coordinators' alert %q", c.Plain)
		}
	}
}

// TestAlertTasksReachTheirAudienceOnSlack: with SLACK_ALERT_CHANNEL the alert is posted in the coordinators'
// channel (and not in the coordinator's DM); without it, in the coordinator's DM. Either way the escalation's
// "nobody has picked it up" and the acknowledgement go to the person's DM, never to the channel.
func TestAlertTasksReachTheirAudienceOnSlack(t *testing.T) {
	const alerts = "GALERTS"
	for _, channel := range []string{alerts, ""} {
		name := map[string]string{alerts: "with an alert channel", "": "without an alert channel"}[channel]
		t.Run(name, func(t *testing.T) {
			redistest.Open(t, redistest.DBSpare2) // flushed
			sl := slackfake.New(t)
			s := startServe(t, map[string]string{
				"REDIS_URL": redistest.URL(t, redistest.DBSpare2), "MENTORBOT_ADMINS": "slack:UHANNE",
				"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test", "SLACK_API_URL": sl.APIURL(),
				"SLACK_MIN_INTERVAL": "0", "SLACK_ALERT_CHANNEL": channel,
			})
			coord := sl.NewUser("UHANNE", sl.Socket())
			coord.Channels = []string{alerts}
			onboardSlack(t, coord, "")
			coord.Slash(t, "", "/mentor", "invite mentee")
			code := regexp.MustCompile(inviteCodeFmt).FindString(coord.Expect(t, "invite code for a mentee").Body())
			person := sl.NewUser("UJONAS", sl.Socket())
			onboardSlack(t, person, code)

			person.Say(t, "I want to die")
			person.Press(t, "🤝 Ask a coordinator")
			person.Expect(t, "I've asked a coordinator")
			where := slackfake.DM("UHANNE")
			if channel != "" {
				where = channel
			}
			alert := coord.Expect(t, raiseText)
			if alert.Channel != where {
				t.Fatalf("the alert landed in %s, want %s", alert.Channel, where)
			}

			escalateNow(t, s.Main, flows.Identity{Platform: flows.Slack, ID: "UJONAS"})
			if got := person.Expect(t, escalateText); got.Channel != slackfake.DM("UJONAS") {
				t.Fatalf("the escalation reached %s, want the person's DM", got.Channel)
			}

			coord.Press(t, "🙋 I'll take it")
			coord.Expect(t, "it's yours")
			if got := person.Expect(t, ackedText); got.Channel != slackfake.DM("UJONAS") {
				t.Fatalf("the acknowledgement reached %s, want the person's DM", got.Channel)
			}

			for _, ch := range []string{alerts, slackfake.DM("UHANNE")} {
				for _, m := range sl.Messages(ch) {
					if strings.Contains(m.Body(), escalateText) || strings.Contains(m.Body(), ackedText) {
						t.Errorf("the person's message reached %s: %q", ch, m.Body())
					}
					if ch != where && strings.Contains(m.Body(), raiseText) {
						t.Errorf("the alert reached %s too", ch)
					}
				}
			}
		})
	}
}
