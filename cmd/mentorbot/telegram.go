package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

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
		Rates:         telegramRates{redis.NewRates(m.Conn.Client, "telegram:"+botID(cfg.TelegramToken))},
		Metrics:       m.Metrics.adapter(flows.Telegram),
	})
	if err != nil {
		return err
	}
	m.Metrics.watchPending(flows.Telegram, a.Pending)
	m.Engine.SetSender(flows.Telegram, a)
	if a.Webhook() {
		p.mux.Handle("POST "+a.WebhookPath(), m.limitRoute("telegram", telegram.MaxBody, a))
	}
	p.intake = append(p.intake, a)
	p.ready = append(p.ready, a.Ready)
	return nil
}

// telegramRates shares the Telegram pacer's schedule between replicas through Redis.
type telegramRates struct{ r *redis.Rates }

func (t telegramRates) Reserve(ctx context.Context, chat int64, plan string, overall, perChat telegram.Rate) ([]time.Duration, error) {
	c := ""
	if chat != 0 {
		c = strconv.FormatInt(chat, 10)
	}
	return t.r.Reserve(ctx, redis.Rate(overall), c, redis.Rate(perChat), plan)
}

func (t telegramRates) Pause(ctx context.Context, d time.Duration) error { return t.r.Pause(ctx, d) }

// botID is the bot's numeric id, the part of the token before the colon: public, unlike the rest. Two bots on one
// Redis keep separate schedules. A token of another shape (never Telegram's) gives a fixed name rather than any
// part of the secret.
func botID(token string) string {
	id, _, ok := strings.Cut(token, ":")
	if !ok || id == "" || strings.Trim(id, "0123456789") != "" {
		return "bot"
	}
	return id
}
