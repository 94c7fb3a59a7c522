package bot

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the transport's Prometheus instruments. Each App registers its
// own, so tests can run several Apps in one process.
type Metrics struct {
	UpdatesHandled *prometheus.CounterVec
	MessagesSent   *prometheus.CounterVec
	SendLatency    prometheus.Histogram
	TooManyRequest prometheus.Counter
	DeadLetters    prometheus.Counter
}

// NewMetrics creates the instruments and registers them with reg (nil: none).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		UpdatesHandled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "suivi_updates_handled_total",
			Help: "Telegram updates handled, by result (ok, duplicate, error, dead_letter, rejected).",
		}, []string{"result"}),
		MessagesSent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "suivi_messages_sent_total",
			Help: "Outbox calls made, by result (sent, retry, failed, forbidden, rate_limited).",
		}, []string{"result"}),
		SendLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "suivi_send_latency_seconds",
			Help:    "Duration of one Bot API send call.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
		}),
		TooManyRequest: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "suivi_telegram_429_total",
			Help: "429 Too Many Requests answers from Telegram.",
		}),
		DeadLetters: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "suivi_dead_letters_total",
			Help: "Updates given up after failing every attempt, kept in update_failures (suivi updates dead-letters).",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.UpdatesHandled, m.MessagesSent, m.SendLatency, m.TooManyRequest, m.DeadLetters)
	}
	return m
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
