package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// Config is mentorbot's configuration, read from the environment (README lists every variable). Zero values mean
// the default stated on each field.
type Config struct {
	// RedisURL (REDIS_URL): empty starts an embedded in-memory store (local chat, tries); production sets it.
	RedisURL string
	// Admins (MENTORBOT_ADMINS): comma-separated platform:id pairs that get the coordinator role.
	Admins []flows.Identity
	// DataKey (MENTORBOT_DATA_KEY): base64 32-byte key(s) for encrypting health data; see README. Required by
	// serve with REDIS_URL (keys.go).
	DataKey string
	// HTTPAddr (MENTORBOT_HTTP_ADDR): where serve listens for webhooks, health and metrics. Default ":8080".
	HTTPAddr string
	// MetricsAddr (MENTORBOT_METRICS_ADDR): a second listener for /metrics (and /healthz, /readyz), kept off the
	// public port; HTTPAddr then serves no /metrics. Empty: /metrics on HTTPAddr.
	MetricsAddr string
	// HTTP bounds the HTTP servers: timeouts, header size, requests in flight, connections (httpserver.go).
	HTTP httpLimits
	// LogLevel (MENTORBOT_LOG_LEVEL): debug, info (default), warn, error.
	LogLevel string
	// ShutdownTimeout (MENTORBOT_SHUTDOWN_TIMEOUT): how long in-flight work may take at shutdown. Default 20s.
	ShutdownTimeout time.Duration
	// LogKey (MENTORBOT_LOG_KEY): secret that keys the pseudonymous user references in logs, at least 16
	// characters (keys.go). Empty: a key for the life of the process; serve with REDIS_URL refuses to start.
	LogKey string
	// RatePerMinute (MENTORBOT_RATE_PER_MINUTE): inbound messages one user may send a minute. Default 30.
	RatePerMinute int

	// Telegram (TELEGRAM_*): see bot/telegram.
	TelegramToken         string
	TelegramAPIURL        string
	TelegramWebhookURL    string
	TelegramWebhookSecret string
	// TelegramSendRate (TELEGRAM_SEND_RATE): Bot API calls a second across all chats. Zero: 30, Telegram's limit
	// for a bot without paid broadcasts (with them Telegram allows up to 1,000). Load tests raise it for a fake.
	TelegramSendRate float64

	// Slack (SLACK_*): see bot/slack.
	SlackBotToken      string
	SlackAppToken      string
	SlackSigningSecret string
	SlackAPIURL        string
	SlackAlertChannel  string
	SlackCommand       string

	// SlackMinInterval (SLACK_MIN_INTERVAL): least time between two messages to one Slack channel. Zero: 1s,
	// Slack's rate for chat.postMessage. "0" in the environment turns pacing off (for a fake Slack in tests).
	SlackMinInterval time.Duration
	// Check-ins and the safety path (see docs/checkin.md).
	// HelplineDK, HelplineRO (MENTORBOT_HELPLINE_DK, _RO): the helpline shown on the safety path, name and number
	// as one text. Empty: "Livslinien 70 201 201" and "Alianța Română de Prevenție a Suicidului 0800 801 200".
	HelplineDK string
	HelplineRO string
	// AlertEscalate (MENTORBOT_ALERT_ESCALATE): how long an alert waits for a coordinator before the next one is
	// asked. Default 2h.
	AlertEscalate time.Duration
	// RetentionDays (MENTORBOT_RETENTION_DAYS): how long kept check-in scores live. Default 365.
	RetentionDays int
	// Scheduling and mentoring (see nudge.go).
	// MentorCapacity (MENTORBOT_MENTOR_CAPACITY): mentees per mentor unless the mentor sets it. Default 2.
	MentorCapacity int
	// RetentionJobs (MENTORBOT_RETENTION_JOBS): comma-separated internal jobs sent to every user daily for
	// retention. Default "checkin.purge,sessions.purge"; "-" for none. serve refuses a job no feature handles.
	RetentionJobs []flows.Job
	// EscalationJobs (MENTORBOT_ESCALATION_JOBS): jobs sent to every coordinator each 15 minutes as the safety net
	// for unacknowledged alerts. "-" for none. serve refuses a job no feature handles.
	EscalationJobs []flows.Job
	// QueueConcurrency (MENTORBOT_QUEUE_CONCURRENCY): deliveries one replica runs at once. Default 10.
	QueueConcurrency int
}

// configFromEnv reads the configuration. getenv is os.Getenv outside tests.
func configFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		RedisURL:              getenv("REDIS_URL"),
		DataKey:               getenv("MENTORBOT_DATA_KEY"),
		HTTPAddr:              or(getenv("MENTORBOT_HTTP_ADDR"), ":8080"),
		LogLevel:              or(getenv("MENTORBOT_LOG_LEVEL"), "info"),
		TelegramToken:         getenv("TELEGRAM_BOT_TOKEN"),
		TelegramAPIURL:        getenv("TELEGRAM_API_URL"),
		TelegramWebhookURL:    getenv("TELEGRAM_WEBHOOK_URL"),
		TelegramWebhookSecret: getenv("TELEGRAM_WEBHOOK_SECRET"),
		SlackBotToken:         getenv("SLACK_BOT_TOKEN"),
		SlackAppToken:         getenv("SLACK_APP_TOKEN"),
		SlackSigningSecret:    getenv("SLACK_SIGNING_SECRET"),
		SlackAPIURL:           getenv("SLACK_API_URL"),
		SlackAlertChannel:     getenv("SLACK_ALERT_CHANNEL"),
		SlackCommand:          or(getenv("SLACK_COMMAND"), "/mentor"),
		ShutdownTimeout:       20 * time.Second,
		LogKey:                getenv("MENTORBOT_LOG_KEY"),
		RatePerMinute:         30,
	}
	if v := getenv("MENTORBOT_RATE_PER_MINUTE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return c, fmt.Errorf("MENTORBOT_RATE_PER_MINUTE: want a positive number, got %q", v)
		}
		c.RatePerMinute = n
	}
	if v := getenv("TELEGRAM_SEND_RATE"); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || !(r > 0 && r <= 1e6) {
			return c, fmt.Errorf("TELEGRAM_SEND_RATE: want calls a second (30 without paid broadcasts), got %q", v)
		}
		c.TelegramSendRate = r
	}
	if v := getenv("MENTORBOT_SHUTDOWN_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return c, fmt.Errorf("MENTORBOT_SHUTDOWN_TIMEOUT: want a duration like 20s, got %q", v)
		}
		c.ShutdownTimeout = d
	}
	if v := getenv("SLACK_MIN_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return c, fmt.Errorf("SLACK_MIN_INTERVAL: want a duration like 1s, or 0 for none, got %q", v)
		}
		if d == 0 {
			d = -1 // the adapter reads zero as its default
		}
		c.SlackMinInterval = d
	}
	for _, s := range strings.Split(getenv("MENTORBOT_ADMINS"), ",") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		id, ok := flows.ParseIdentity(s)
		if !ok {
			return c, fmt.Errorf("MENTORBOT_ADMINS: %q is not platform:id (telegram:123, slack:U123, console:name)", s)
		}
		c.Admins = append(c.Admins, id)
	}
	if err := checkinConfig(&c, getenv); err != nil {
		return c, err
	}
	if c.TelegramWebhookURL != "" && c.TelegramWebhookSecret == "" {
		return c, fmt.Errorf("TELEGRAM_WEBHOOK_SECRET must be set with TELEGRAM_WEBHOOK_URL")
	}
	if err := checkLogKey(c.LogKey); err != nil {
		return c, err
	}
	if err := httpConfig(&c, getenv); err != nil {
		return c, err
	}
	if err := nudgeFromEnv(&c, getenv); err != nil {
		return c, err
	}
	return c, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

var _ = os.Getenv
