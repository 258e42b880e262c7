package main

import (
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/m4pris/mentorbot/flows/programme"
	"github.com/m4pris/mentorbot/flows/safety"
	"github.com/m4pris/mentorbot/flows/seal"
)

// checkinConfig reads the check-in and safety variables.
func checkinConfig(c *Config, getenv func(string) string) error {
	c.HelplineDK = getenv("MENTORBOT_HELPLINE_DK")
	c.HelplineRO = getenv("MENTORBOT_HELPLINE_RO")
	c.AlertEscalate = 2 * time.Hour
	if v := getenv("MENTORBOT_ALERT_ESCALATE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute {
			return fmt.Errorf("MENTORBOT_ALERT_ESCALATE: want a duration of a minute or more, like 2h, got %q", v)
		}
		c.AlertEscalate = d
	}
	c.RetentionDays = 365
	if v := getenv("MENTORBOT_RETENTION_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 3660 {
			return fmt.Errorf("MENTORBOT_RETENTION_DAYS: want a number of days (1–3660), got %q", v)
		}
		c.RetentionDays = n
	}
	if c.DataKey != "" {
		if _, err := seal.ParseKeys(c.DataKey); err != nil {
			return err
		}
	}
	return nil
}

// checkinDeps wires the check-in feature: the Redis store for alerts and totals, the data key, helplines and
// times. Without MENTORBOT_DATA_KEY, the local chat on the embedded store gets a key that lives as long as the
// process (its data does too); with a real Redis, scores are then not kept at all, and the log says so, rather
// than kept under a key that a restart would lose.
func checkinDeps(cfg Config, m *Main, log *slog.Logger, d *programme.Deps) error {
	d.Checkins = m.Store
	d.Helplines = safety.Helplines{DK: cfg.HelplineDK, RO: cfg.HelplineRO}
	d.AlertEscalate = cfg.AlertEscalate
	d.Retention = time.Duration(cfg.RetentionDays) * 24 * time.Hour
	switch {
	case cfg.DataKey != "":
		keys, err := seal.ParseKeys(cfg.DataKey)
		if err != nil {
			return err
		}
		box, err := seal.New(keys...)
		if err != nil {
			return fmt.Errorf("MENTORBOT_DATA_KEY: %w", err)
		}
		d.Sealer = box
	case m.Conn.Embedded != nil:
		d.Sealer = seal.NewRandom()
	default:
		log.Error("MENTORBOT_DATA_KEY is not set: check-in scores will be shown but never kept (see docs/checkin.md)")
	}
	return nil
}
