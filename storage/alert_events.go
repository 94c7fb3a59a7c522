package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Kinds of alert events: the life of an alert, each step with who and when.
const (
	AlertEventRaised       = "raised"
	AlertEventEvidence     = "evidence"
	AlertEventDelivered    = "delivered"
	AlertEventReminded     = "reminded"
	AlertEventEscalated    = "escalated"
	AlertEventAcknowledged = "acknowledged"
	AlertEventNote         = "note"
	AlertEventReassigned   = "reassigned"
	AlertEventResolved     = "resolved"
)

// AlertEvent is one step in an alert's life.
type AlertEvent struct {
	ID      int64
	AlertID AlertID
	Kind    string
	StaffID *StaffID // who did it; nil for Suivi itself
	At      time.Time
	Data    json.RawMessage // a JSON object
}

// AddAlertEvent appends an event to an alert's history.
func AddAlertEvent(ctx context.Context, q Querier, e AlertEvent) error {
	data := e.Data
	if len(data) == 0 {
		data = json.RawMessage(`{}`)
	}
	_, err := q.ExecContext(ctx, `INSERT INTO alert_events (alert_id, kind, staff_id, at, data) VALUES ($1, $2, $3, $4, $5)`,
		int64(e.AlertID), e.Kind, e.StaffID, e.At, string(data))
	if err != nil {
		return fmt.Errorf("add alert event: %w", err)
	}
	return nil
}

// AlertEvents returns an alert's history, oldest first.
func AlertEvents(ctx context.Context, q Querier, id AlertID) ([]AlertEvent, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, alert_id, kind, staff_id, at, data FROM alert_events
		WHERE alert_id = $1 ORDER BY id`, int64(id))
	if err != nil {
		return nil, fmt.Errorf("load alert events: %w", err)
	}
	defer rows.Close()
	var out []AlertEvent
	for rows.Next() {
		var e AlertEvent
		var data []byte
		if err := rows.Scan(&e.ID, &e.AlertID, &e.Kind, &e.StaffID, &e.At, &data); err != nil {
			return nil, fmt.Errorf("load alert events: %w", err)
		}
		e.Data = data
		out = append(out, e)
	}
	return out, rows.Err()
}
