package main

import "context"

// buildSlack adds the Slack adapter when SLACK_BOT_TOKEN is set.
func buildSlack(ctx context.Context, m *Main, p *parts) error {
	if m.Config.SlackBotToken == "" {
		return nil
	}
	m.Log.Warn("SLACK_BOT_TOKEN is set but this build has no Slack adapter yet")
	return nil
}
