package scheduler

import (
	"context"
	"database/sql"
	"time"

	"suivi/followup"
)

// AlertJob delivers alerts left undelivered and reminds and escalates
// overdue ones (followup.Delivery.Escalate), every minute on the leader
// only; each step is an event, so a second pass or replica repeats nothing.
func AlertJob(db *sql.DB, d *followup.Delivery) Job {
	return Job{Name: "alerts", Spec: "* * * * *", Timeout: 2 * time.Minute, LeaderOnly: true,
		Run: func(ctx context.Context, now time.Time) error {
			c, err := d.Escalate(followup.WithDelivery(ctx, d), db, now)
			Report(ctx, "delivered", c.Delivered, "reminded", c.Reminded, "escalated", c.Escalated)
			return err
		}}
}
