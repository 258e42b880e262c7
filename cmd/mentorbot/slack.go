package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/slack"
	"github.com/m4pris/mentorbot/flows"
)

// slackMaxBody is the largest body Slack's endpoints take (Slack's payloads are a few KB); the route's bound and
// the adapter check the same number.
const slackMaxBody = 1 << 20

// buildSlack adds the Slack adapter when SLACK_BOT_TOKEN is set: Socket Mode with SLACK_APP_TOKEN, the signed HTTP
// endpoints with SLACK_SIGNING_SECRET (both may be set; Slack uses whichever the app is configured for).
func buildSlack(_ context.Context, m *Main, p *parts) error {
	c := m.Config
	if c.SlackBotToken == "" {
		if c.SlackAppToken != "" || c.SlackSigningSecret != "" {
			return errors.New("SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is not")
		}
		return nil
	}
	a, err := slack.New(slack.Options{
		BotToken: c.SlackBotToken, AppToken: c.SlackAppToken, SigningSecret: c.SlackSigningSecret,
		APIURL: c.SlackAPIURL, AlertChannel: c.SlackAlertChannel, Command: c.SlackCommand,
		MinInterval: c.SlackMinInterval, MaxBody: slackMaxBody,
		Rates:  slackRates{redis.NewSlackRates(m.Conn.Client, slackWorkspace(c.SlackBotToken))},
		Engine: m.Engine, Profiles: m.Store, Once: m.Store, Log: m.Log,
		Metrics: m.Metrics.adapter(flows.Slack),
	})
	if err != nil {
		return err
	}
	m.Metrics.watchPending(flows.Slack, a.Pending)
	if c.SlackSigningSecret != "" {
		// The three endpoints share one bound (limitRoute), so a flood on one cannot starve Telegram's webhook.
		routes := http.NewServeMux()
		if err := a.Routes(routes); err != nil {
			return err
		}
		limited := m.limitRoute("slack", slackMaxBody, routes)
		for _, path := range []string{slack.PathEvents, slack.PathInteraction, slack.PathCommands} {
			p.mux.Handle("POST "+path, limited)
		}
	}
	m.Engine.SetSender(flows.Slack, a)
	p.intake = append(p.intake, a)
	p.ready = append(p.ready, a.Ready)
	m.Log.Info("slack adapter", "socket_mode", c.SlackAppToken != "", "http_endpoints", c.SlackSigningSecret != "",
		"alert_channel", c.SlackAlertChannel != "")
	return nil
}

// slackRates shares the Slack adapter's schedule of Web API calls between replicas through Redis.
type slackRates struct{ r *redis.SlackRates }

func (s slackRates) Reserve(ctx context.Context, bucket string, overall slack.Rate, channel string, perChannel slack.Rate) (time.Duration, error) {
	return s.r.Reserve(ctx, bucket, redis.Rate(overall), channel, redis.Rate(perChannel))
}

func (s slackRates) Pause(ctx context.Context, bucket string, d time.Duration) error {
	return s.r.Pause(ctx, bucket, d)
}

// slackWorkspace names the shared schedule of one bot token (Slack's limits are per app and workspace): a short
// hash of the token, so two bots on one Redis keep separate schedules and no part of the secret is stored.
func slackWorkspace(token string) string {
	sum := sha256.Sum256([]byte("mentorbot/slack-schedule\x00" + token))
	return hex.EncodeToString(sum[:6])
}
