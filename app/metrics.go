package app

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"suivi/storage"
)

// outboxCollector reports the outbox depth per lane at scrape time.
type outboxCollector struct {
	db   *sql.DB
	desc *prometheus.Desc
}

func newOutboxCollector(db *sql.DB) *outboxCollector {
	return &outboxCollector{db: db, desc: prometheus.NewDesc("suivi_outbox_depth",
		"Messages waiting in the outbox, by lane (0 replies, 1 bulk).", []string{"lane"}, nil)}
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	depth, err := storage.OutboxDepth(ctx, c.db)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for lane, n := range depth {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), strconv.Itoa(lane))
	}
}
