package followup

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"suivi/storage"
)

// EscalationCounts says what one escalation pass did.
type EscalationCounts struct {
	Delivered, Reminded, Escalated int
}

// Escalate walks the open alerts at now (the scheduler's clock): an alert
// not yet delivered is delivered; one unacknowledged past its severity's
// deadline is reminded to its owner and escalated to the owner's supervisor
// (an urgent one also to the on-call list); one acknowledged but unresolved
// is reminded to its owner each deadline after the acknowledgement. Each
// step is an event naming its period, and the alert is locked while it is
// looked at, so each happens once per period however many passes run.
func (d *Delivery) Escalate(ctx context.Context, db *sql.DB, now time.Time) (EscalationCounts, error) {
	var c EscalationCounts
	ids, err := storage.OpenAlertIDs(ctx, db)
	if err != nil {
		return c, err
	}
	for _, id := range ids {
		if err := storage.InTx(ctx, db, func(tx *sql.Tx) error { return d.escalateOne(ctx, tx, id, now, &c) }); err != nil {
			return c, fmt.Errorf("escalate alert %d: %w", id, err)
		}
	}
	return c, nil
}

// period is the data of reminded and escalated events.
type period struct {
	Stage  string `json:"stage"` // open or acknowledged
	Period int    `json:"period"`
}

func (d *Delivery) escalateOne(ctx context.Context, tx *sql.Tx, id storage.AlertID, now time.Time, c *EscalationCounts) error {
	a, err := storage.LockAlert(ctx, tx, id)
	if err != nil || a.Status == "resolved" {
		return err
	}
	events, err := storage.AlertEvents(ctx, tx, id)
	if err != nil {
		return err
	}
	delivered := false
	for _, e := range events {
		delivered = delivered || e.Kind == storage.AlertEventDelivered
	}
	if !delivered {
		if err := d.deliver(ctx, tx, id, "undelivered", now); err != nil {
			return err
		}
		c.Delivered++
	}
	deadline, ok := d.Deadlines[Severity(a.Severity)]
	if !ok || deadline <= 0 {
		return nil
	}
	p := period{Stage: "open"}
	base := a.CreatedAt
	if a.Status == "acknowledged" && a.AcknowledgedAt != nil {
		p.Stage, base = "acknowledged", *a.AcknowledgedAt
	}
	p.Period = int(now.Sub(base) / deadline)
	if p.Period < 1 {
		return nil
	}
	for _, e := range events {
		var seen period
		if e.Kind == storage.AlertEventReminded && json.Unmarshal(e.Data, &seen) == nil && seen == p {
			return nil
		}
	}
	owners, err := d.owners(ctx, tx, a)
	if err != nil {
		return err
	}
	data := map[string]any{"stage": p.Stage, "period": p.Period}
	if len(owners) == 0 { // nobody to remind: the period is still done
		raw, _ := json.Marshal(data)
		if err := storage.AddAlertEvent(ctx, tx, storage.AlertEvent{AlertID: id, Kind: storage.AlertEventReminded, At: now, Data: raw}); err != nil {
			return err
		}
	}
	if err := d.send(ctx, tx, a, owners, "alert_reminder", storage.AlertEventReminded, data, now); err != nil {
		return err
	}
	c.Reminded++
	if p.Stage != "open" {
		return nil
	}
	up, err := d.escalation(ctx, tx, a)
	if err != nil {
		return err
	}
	var to []recipient
	for _, r := range up {
		if !contains(owners, r.staff.ID) {
			to = append(to, r)
		}
	}
	if err := d.send(ctx, tx, a, to, "alert_escalated", storage.AlertEventEscalated, data, now); err != nil {
		return err
	}
	if len(to) > 0 {
		c.Escalated++
	}
	return nil
}
