package main

import (
	"context"
	"fmt"
	"os"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/telegram"
	"github.com/m4pris/mentorbot/flows"
)

// telegramLimits are the outbound limits; zero means Telegram's. End-to-end tests raise them, because a test
// taps buttons faster than Telegram lets a bot answer one chat (about one message a second).
var telegramLimits telegram.Limits

// buildTelegram adds the Telegram adapter when TELEGRAM_BOT_TOKEN is set: webhook mode when TELEGRAM_WEBHOOK_URL
// is set (the handler is mounted on the URL's path), long polling otherwise (one poller across replicas, under a
// Redis lease).
func buildTelegram(ctx context.Context, m *Main, p *parts) error {
	cfg := m.Config
	if cfg.TelegramToken == "" {
		return nil
	}
	host, _ := os.Hostname()
	limits := telegramLimits
	if limits.PerSecond == 0 {
		limits.PerSecond = cfg.TelegramSendRate
	}
	a, err := telegram.New(telegram.Options{
		Token:         cfg.TelegramToken,
		APIURL:        cfg.TelegramAPIURL,
		WebhookURL:    cfg.TelegramWebhookURL,
		WebhookSecret: cfg.TelegramWebhookSecret,
		Engine:        m.Engine,
		Locker:        redis.NewLocks(m.Conn.Client),
		Owner:         fmt.Sprintf("%s-%d", host, os.Getpid()),
		Logger:        m.Log,
		Limits:        limits,
	})
	if err != nil {
		return err
	}
	m.Engine.SetSender(flows.Telegram, a)
	if a.Webhook() {
		p.mux.Handle("POST "+a.WebhookPath(), a)
	}
	p.intake = append(p.intake, a)
	return nil
}
