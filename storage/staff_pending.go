package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Pending actions: what a staff member's next text message is for.
const (
	PendingNote    = "note"    // a note on the alert
	PendingResolve = "resolve" // the note that resolves a safety alert
)

// StaffPending is an alert button's question waiting for the staff member's
// next text message.
type StaffPending struct {
	StaffID   StaffID
	AlertID   AlertID
	Action    string
	MessageID int // the alert message to update once done; 0 when unknown
	ExpiresAt time.Time
}

// SetStaffPending records what the staff member's next text message is for,
// replacing any earlier question.
func SetStaffPending(ctx context.Context, q Querier, p StaffPending) error {
	_, err := q.ExecContext(ctx, `INSERT INTO staff_pending (staff_id, alert_id, action, message_id, expires_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (staff_id) DO UPDATE SET alert_id = $2, action = $3, message_id = $4, expires_at = $5`,
		int64(p.StaffID), int64(p.AlertID), p.Action, p.MessageID, p.ExpiresAt)
	if err != nil {
		return fmt.Errorf("save staff pending input: %w", err)
	}
	return nil
}

// TakeStaffPending removes and returns the staff member's pending question,
// or ErrNotFound when there is none or it expired before now.
func TakeStaffPending(ctx context.Context, q Querier, staff StaffID, now time.Time) (StaffPending, error) {
	var p StaffPending
	err := q.QueryRowContext(ctx, `DELETE FROM staff_pending WHERE staff_id = $1
		RETURNING staff_id, alert_id, action, message_id, expires_at`, int64(staff)).
		Scan(&p.StaffID, &p.AlertID, &p.Action, &p.MessageID, &p.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !now.Before(p.ExpiresAt)) {
		return StaffPending{}, fmt.Errorf("take staff pending input: %w", ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("take staff pending input: %w", err)
	}
	return p, nil
}
