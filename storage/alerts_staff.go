package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// LockAlert returns an alert locked until the transaction ends, so two
// presses on its buttons are taken one after the other.
func LockAlert(ctx context.Context, tx *sql.Tx, id AlertID) (Alert, error) {
	a, err := scanAlert(tx.QueryRowContext(ctx, `SELECT `+alertColumns+` FROM alerts WHERE id = $1 FOR UPDATE`, int64(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("lock alert %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("lock alert %d: %w", id, err)
	}
	return a, nil
}

// AcknowledgeAlert marks an open alert as taken in hand at now.
func AcknowledgeAlert(ctx context.Context, q Querier, id AlertID, now time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE alerts SET status = 'acknowledged', acknowledged_at = $2
		WHERE id = $1 AND status = 'open'`, int64(id), now); err != nil {
		return fmt.Errorf("acknowledge alert: %w", err)
	}
	return nil
}

// ResolveAlert closes an alert at now.
func ResolveAlert(ctx context.Context, q Querier, id AlertID, now time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE alerts SET status = 'resolved', resolved_at = $2
		WHERE id = $1 AND status <> 'resolved'`, int64(id), now); err != nil {
		return fmt.Errorf("resolve alert: %w", err)
	}
	return nil
}

// AssignAlert gives an alert a new owner.
func AssignAlert(ctx context.Context, q Querier, id AlertID, staff StaffID) error {
	if _, err := q.ExecContext(ctx, `UPDATE alerts SET assigned_to = $2 WHERE id = $1`, int64(id), int64(staff)); err != nil {
		return fmt.Errorf("assign alert: %w", err)
	}
	return nil
}

// OpenAlertIDs lists the alerts not yet resolved, oldest first: the
// escalation job's work list.
func OpenAlertIDs(ctx context.Context, q Querier) ([]AlertID, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM alerts WHERE status <> 'resolved' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list open alerts: %w", err)
	}
	defer rows.Close()
	var out []AlertID
	for rows.Next() {
		var id AlertID
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list open alerts: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// OpenUrgentAlerts returns a returnee's open urgent alerts.
func OpenUrgentAlerts(ctx context.Context, q Querier, returnee ReturneeID) ([]Alert, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+alertColumns+` FROM alerts
		WHERE returnee_id = $1 AND status <> 'resolved' AND severity = 'urgent' ORDER BY id`, int64(returnee))
	if err != nil {
		return nil, fmt.Errorf("load open urgent alerts: %w", err)
	}
	defer rows.Close()
	var out []Alert
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, fmt.Errorf("load open urgent alerts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Caseworkers returns the case workers of a supervisor's team, or every case
// worker when supervisor is 0, by name: who an alert can be handed to.
func Caseworkers(ctx context.Context, q Querier, supervisor StaffID) ([]Staff, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+staffColumns+` FROM staff
		WHERE role = 'caseworker' AND ($1 = 0 OR supervisor_id = $1) ORDER BY name, id`, int64(supervisor))
	if err != nil {
		return nil, fmt.Errorf("list case workers: %w", err)
	}
	defer rows.Close()
	var out []Staff
	for rows.Next() {
		s, err := scanStaff(rows)
		if err != nil {
			return nil, fmt.Errorf("list case workers: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
