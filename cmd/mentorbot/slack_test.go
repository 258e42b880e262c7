package main

import (
	"regexp"
	"testing"

	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/bot/slack/slackfake"
	"github.com/m4pris/mentorbot/flows/flowtest"
)

// TestServeWithSlack runs serve as configured by SLACK_* variables against a fake Slack: a coordinator onboards
// over Socket Mode and makes an invite code with the slash command; a new mentee joins with it over the signed
// HTTP endpoints.
func TestServeWithSlack(t *testing.T) {
	redistest.Open(t, redistest.DBSpare1) // flushes the database when REDIS_URL is set
	fake := slackfake.New(t)
	const secret = "serve-test-secret"
	env := map[string]string{
		"REDIS_URL":            redistest.URL(t, redistest.DBSpare1),
		"MENTORBOT_ADMINS":     "slack:UCOORD",
		"SLACK_BOT_TOKEN":      "xoxb-test",
		"SLACK_APP_TOKEN":      "xapp-test",
		"SLACK_SIGNING_SECRET": secret,
		"SLACK_API_URL":        fake.APIURL(),
		"SLACK_MIN_INTERVAL":   "0",
	}
	s := startServe(t, env)
	coord := fake.NewUser("UCOORD", fake.Socket())
	onboardSlack(t, coord, "")
	coord.Slash(t, "", "/mentor", "invite mentee")
	code := regexp.MustCompile(`[0-9A-Z]{5}-[0-9A-Z]{5}`).FindString(coord.Expect(t, "invite code for a mentee").Body())
	if code == "" {
		t.Fatal("no invite code")
	}

	mentee := fake.NewUser("UMENTEE", slackfake.HTTP(s.Base, secret))
	onboardSlack(t, mentee, code)
	mentee.Slash(t, "", "/mentor", "privacy")
	mentee.Expect(t, "Role: mentee")
}

// onboardSlack takes a Slack user through onboarding, with an invite code or as a guest.
func onboardSlack(t *testing.T, u *slackfake.User, code string) {
	t.Helper()
	flowtest.Onboarding{First: "hello", KeepScores: true, Code: code, Role: "mentee"}.Run(
		func(s string) { u.Say(t, s) }, func(l string) { u.Press(t, l) }, func(w string) { u.Expect(t, w) })
}
