package main

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/m4pris/mentorbot/flows"
)

// Metrics are the process's Prometheus collectors, served on /metrics. Adapters and schedulers register their own
// collectors on Registry; the engine's are fed by its Observe hook.
type Metrics struct {
	Registry *prometheus.Registry
	updates  *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	tasks    *prometheus.CounterVec
}

func newMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{
		Registry: reg,
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mentorbot_updates_total", Help: "Updates handled, by platform and outcome (ok, duplicate, error, limited).",
		}, []string{"platform", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "mentorbot_update_seconds", Help: "Time to handle one update in the engine (load, flow, save).",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"platform"}),
		tasks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mentorbot_tasks_total", Help: "Queued tasks delivered through the engine, by job and outcome (alerts are jobs alert.*, nudges *.prompt / *.nudge).",
		}, []string{"job", "outcome"}),
	}
	reg.MustRegister(m.updates, m.latency, m.tasks)
	return m
}

// observe is the engine's Observe hook.
func (m *Metrics) observe(o flows.Observation) {
	if o.Job != "" {
		m.tasks.WithLabelValues(o.Job, o.Outcome).Inc()
		return
	}
	p := string(o.Platform)
	m.updates.WithLabelValues(p, o.Outcome).Inc()
	m.latency.WithLabelValues(p).Observe(o.Duration.Seconds())
}

// Handler serves the metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}
