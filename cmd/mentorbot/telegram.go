package main

import "context"

// buildTelegram adds the Telegram adapter when TELEGRAM_BOT_TOKEN is set.
func buildTelegram(ctx context.Context, m *Main, p *parts) error {
	if m.Config.TelegramToken == "" {
		return nil
	}
	m.Log.Warn("TELEGRAM_BOT_TOKEN is set but this build has no Telegram adapter yet")
	return nil
}
