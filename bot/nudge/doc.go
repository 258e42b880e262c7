// Package nudge runs mentorbot's time-driven work: periodic jobs on robfig/cron under a per-tick Redis lock (every
// replica runs the cron, one runs each tick), and one-off deliveries through an asynq queue shared by all replicas
// (ProcessAt, deterministic task ids, retries with backoff, deletion on cancel) whose worker hands each task to the
// engine.
package nudge
