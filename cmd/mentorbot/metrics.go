package main

import (
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/m4pris/mentorbot/bot/nudge"
	"github.com/m4pris/mentorbot/flows"
)

// Metrics are the process's Prometheus collectors, served on /metrics. The engine's are fed by its Observe hook,
// the adapters' by their Metrics hooks (Adapter), the queue depths are read on each scrape. No label carries a
// user id or anything else about a person: platform, job, kind and outcome are fixed words.
type Metrics struct {
	Registry *prometheus.Registry
	updates  *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	tasks    *prometheus.CounterVec

	sent, rateLimited, retries *prometheus.CounterVec // by platform
	alertsRaised, alertsAcked  *prometheus.CounterVec // by platform, kind
	nudges                     *prometheus.CounterVec // by job, outcome
	noticesDeferred            *prometheus.CounterVec // by job
	httpRefused                *prometheus.CounterVec // by route, reason

	pending *pendingCollector
	queue   *queueCollector
}

func newMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	}
	m := &Metrics{
		Registry: reg,
		updates:  counter("mentorbot_updates_total", "Updates handled, by platform and outcome (ok, duplicate, error, limited).", "platform", "outcome"),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "mentorbot_update_seconds", Help: "Time to handle one update in the engine (load, flow, save).",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"platform"}),
		tasks: counter("mentorbot_tasks_total", "Queued tasks delivered through the engine, by job and outcome (alerts are jobs alert.*, nudges *.prompt / *.nudge).", "job", "outcome"),
		sent: counter("mentorbot_messages_sent_total",
			"Messages the platform API accepted (Telegram sendMessage/sendDocument; Slack chat.postMessage, ephemeral answers, files).", "platform"),
		rateLimited: counter("mentorbot_rate_limited_total", "429 answers from the platform API.", "platform"),
		retries: counter("mentorbot_send_retries_total",
			"Platform API calls made again: after a 429, and on Telegram after a 5xx or network error.", "platform"),
		alertsRaised: counter("mentorbot_alerts_raised_total",
			"Coordinator alerts created, by the platform the person used and the alert's kind (checkin, asked, crisis).", "platform", "kind"),
		alertsAcked: counter("mentorbot_alerts_acknowledged_total",
			"Coordinator alerts taken (\"I'll take it\", first press only), by the coordinator's platform and the alert's kind.", "platform", "kind"),
		nudges: counter("mentorbot_nudges_total",
			"Deliveries of nudge jobs (check-in prompts, lesson nudges, reminders), by job and outcome: sent, deferred_quiet "+
				"(quiet hours, day off or snooze: rescheduled), skipped_quiet (dropped; the next one is planned), dropped "+
				"(no longer due), unreachable.", "job", "outcome"),
		noticesDeferred: counter("mentorbot_notices_deferred_total",
			"Notices about another person's action that arrived in quiet hours and were rescheduled for their end, by job.", "job"),
		httpRefused: counter("mentorbot_http_refused_total",
			"HTTP requests and connections refused to bound what clients hold, by route (telegram, slack; listener for "+
				"connections over MENTORBOT_HTTP_MAX_CONNS) and reason: slow (body not in time, 408), busy (route full, 503), "+
				"too_large (413), bad_body, conns.", "route", "reason"),
		pending: &pendingCollector{
			desc: prometheus.NewDesc("mentorbot_adapter_pending",
				"Work an adapter holds in memory: Telegram reply jobs queued or being sent; Slack updates acknowledged and not yet handled and answered.",
				[]string{"platform"}, nil),
			fns: map[string]func() int{},
		},
		queue: newQueueCollector(),
	}
	reg.MustRegister(m.updates, m.latency, m.tasks, m.sent, m.rateLimited, m.retries, m.alertsRaised, m.alertsAcked,
		m.nudges, m.noticesDeferred, m.httpRefused, m.pending, m.queue)
	return m
}

// observe is the engine's Observe hook.
func (m *Metrics) observe(o flows.Observation) {
	if o.Count != "" {
		m.count(o)
		return
	}
	if o.Job != "" {
		m.tasks.WithLabelValues(string(o.Job), o.Outcome).Inc()
		return
	}
	p := string(o.Platform)
	m.updates.WithLabelValues(p, o.Outcome).Inc()
	m.latency.WithLabelValues(p).Observe(o.Duration.Seconds())
}

// count records an event a flow or the engine counted.
func (m *Metrics) count(o flows.Observation) {
	switch o.Count {
	case flows.CountAlertRaised:
		m.alertsRaised.WithLabelValues(string(o.Platform), o.Kind).Inc()
	case flows.CountAlertAcknowledged:
		m.alertsAcked.WithLabelValues(string(o.Platform), o.Kind).Inc()
	case flows.CountNudge:
		m.nudges.WithLabelValues(string(o.Job), o.Kind).Inc()
	case flows.CountNoticeDeferred:
		m.noticesDeferred.WithLabelValues(string(o.Job)).Inc()
	}
}

// adapterMetrics implements the adapters' Metrics hooks (telegram.Metrics, slack.Metrics) for one platform.
type adapterMetrics struct{ sent, limited, retried prometheus.Counter }

func (a adapterMetrics) Sent()        { a.sent.Inc() }
func (a adapterMetrics) RateLimited() { a.limited.Inc() }
func (a adapterMetrics) Retried()     { a.retried.Inc() }

// adapter returns the send counters of platform p, created at zero so that a dashboard sees the platform at once.
func (m *Metrics) adapter(p flows.Platform) adapterMetrics {
	return adapterMetrics{
		sent:    m.sent.WithLabelValues(string(p)),
		limited: m.rateLimited.WithLabelValues(string(p)),
		retried: m.retries.WithLabelValues(string(p)),
	}
}

// pendingCollector reports each adapter's in-memory queue, read at scrape time.
type pendingCollector struct {
	desc *prometheus.Desc
	mu   sync.Mutex
	fns  map[string]func() int
}

// watchPending reads platform p's in-memory queue (the adapter's Pending) on each scrape.
func (m *Metrics) watchPending(p flows.Platform, pending func() int) {
	m.pending.mu.Lock()
	defer m.pending.mu.Unlock()
	m.pending.fns[string(p)] = pending
}

func (c *pendingCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *pendingCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for p, f := range c.fns {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(f()), p)
	}
}

// queueCollector reports the delivery queue's tasks by state (asynq's inspector: a few Redis round trips per
// scrape). A failed read leaves the gauges out of that scrape and counts an error, so /metrics keeps working
// while Redis is down.
type queueCollector struct {
	tasks, oldest *prometheus.Desc
	errors        prometheus.Counter

	mu sync.Mutex
	q  *nudge.Queue
}

func newQueueCollector() *queueCollector {
	return &queueCollector{
		tasks: prometheus.NewDesc("mentorbot_queue_tasks",
			"Tasks in the delivery queue (asynq) by state: pending (due, waiting for a worker), active, scheduled (later), retry, archived (gave up).",
			[]string{"queue", "state"}, nil),
		oldest: prometheus.NewDesc("mentorbot_queue_oldest_pending_seconds",
			"How long the oldest due task has waited for a worker.", []string{"queue"}, nil),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "mentorbot_queue_stats_errors_total", Help: "Scrapes that could not read the delivery queue's counts from Redis.",
		}),
	}
}

// setQueue points the collector at q (the serve and chat commands build one queue each).
func (m *Metrics) setQueue(q *nudge.Queue) {
	m.queue.mu.Lock()
	defer m.queue.mu.Unlock()
	m.queue.q = q
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.tasks
	ch <- c.oldest
	c.errors.Describe(ch)
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	q := c.q
	c.mu.Unlock()
	if q != nil {
		if st, err := q.Stats(); err != nil {
			c.errors.Inc()
		} else {
			for _, s := range []struct {
				state string
				n     int
			}{{"pending", st.Pending}, {"active", st.Active}, {"scheduled", st.Scheduled}, {"retry", st.Retry}, {"archived", st.Archived}} {
				ch <- prometheus.MustNewConstMetric(c.tasks, prometheus.GaugeValue, float64(s.n), q.Name(), s.state)
			}
			ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, st.OldestPending.Seconds(), q.Name())
		}
	}
	c.errors.Collect(ch)
}

// refusedHTTP counts a request or connection the HTTP server refused (routelimit.go, connlimit.go).
func (m *Metrics) refusedHTTP(route, reason string) {
	m.httpRefused.WithLabelValues(route, reason).Inc()
}

// Handler serves the metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}
