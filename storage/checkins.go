package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Checkin is one occurrence of a campaign for one returnee: a row created by
// the scheduler's planner, opened in the returnee's window, reminded, then
// completed, missed, skipped or cancelled.
type Checkin struct {
	ID             int64
	ReturneeID     int64
	FlowID         string
	Occurrence     int       // index in the campaign's months, from 0
	Month          int       // months after the return date
	DueDate        time.Time // local date, at midnight UTC
	DueAt          time.Time // first planned open instant
	OpenAt         time.Time // planned open instant (moved by catch-up)
	Status         string
	Attempts       int
	LastAttemptAt  *time.Time
	ConversationID *int64
	OpenedAt       *time.Time
	ExpiresAt      *time.Time
	Reminders      int
	RemindedAt     *time.Time
	NextActionAt   *time.Time
	ClosedAt       *time.Time
	MissedStreak   int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Check-in statuses.
const (
	CheckinPlanned   = "planned"
	CheckinOpen      = "open"
	CheckinCompleted = "completed"
	CheckinMissed    = "missed"
	CheckinSkipped   = "skipped"
	CheckinCancelled = "cancelled"
)

const checkinColumns = `id, returnee_id, flow_id, occurrence, month, due_date, due_at, open_at, status,
	attempts, last_attempt_at, conversation_id, opened_at, expires_at, reminders, reminded_at,
	next_action_at, closed_at, missed_streak, created_at, updated_at`

func scanCheckin(row rowScanner) (Checkin, error) {
	var c Checkin
	err := row.Scan(&c.ID, &c.ReturneeID, &c.FlowID, &c.Occurrence, &c.Month, &c.DueDate, &c.DueAt, &c.OpenAt, &c.Status,
		&c.Attempts, &c.LastAttemptAt, &c.ConversationID, &c.OpenedAt, &c.ExpiresAt, &c.Reminders, &c.RemindedAt,
		&c.NextActionAt, &c.ClosedAt, &c.MissedStreak, &c.CreatedAt, &c.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	c.DueDate = time.Date(c.DueDate.Year(), c.DueDate.Month(), c.DueDate.Day(), 0, 0, 0, 0, time.UTC)
	return c, err
}

func scanCheckins(rows *sql.Rows) ([]Checkin, error) {
	defer rows.Close()
	var out []Checkin
	for rows.Next() {
		c, err := scanCheckin(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

const sqlCompleteCheckin = `
UPDATE checkins
SET status = 'completed', closed_at = $2, next_action_at = NULL, updated_at = $2
WHERE conversation_id = $1
  AND status = 'open'`

// CompleteCheckin marks the open check-in whose conversation just completed
// as completed. The bot calls it in the transaction that completes the
// conversation; for a conversation that is not an open check-in (onboarding,
// a check-in already expired) it does nothing.
func CompleteCheckin(ctx context.Context, q Querier, conversationID int64, at time.Time) error {
	if _, err := q.ExecContext(ctx, sqlCompleteCheckin, conversationID, at); err != nil {
		return fmt.Errorf("complete checkin: %w", err)
	}
	return nil
}

const sqlCancelCheckin = `
UPDATE checkins
SET status = 'cancelled', closed_at = $2, next_action_at = NULL, updated_at = $2
WHERE conversation_id = $1
  AND status = 'open'`

// CancelCheckin marks the open check-in of a conversation that was cancelled
// (the returnee paused or stopped in the middle) as cancelled, so it is
// neither reminded nor counted as missed. Like CompleteCheckin it does
// nothing for a conversation that is not an open check-in.
func CancelCheckin(ctx context.Context, q Querier, conversationID int64, at time.Time) error {
	if _, err := q.ExecContext(ctx, sqlCancelCheckin, conversationID, at); err != nil {
		return fmt.Errorf("cancel checkin: %w", err)
	}
	return nil
}

// CancelOpenCheckins cancels the returnee's open check-in, if any: the bot
// calls it with CancelConversations when a returnee pauses, stops or is
// deleted in the middle of one, so it is neither reminded nor counted as
// missed, and the next one is not held back.
func CancelOpenCheckins(ctx context.Context, q Querier, returneeID int64, at time.Time) error {
	if _, err := q.ExecContext(ctx, `
		UPDATE checkins SET status = 'cancelled', closed_at = $2, next_action_at = NULL, updated_at = $2
		WHERE returnee_id = $1 AND status = 'open'`, returneeID, at); err != nil {
		return fmt.Errorf("cancel open checkins: %w", err)
	}
	return nil
}

// CheckinByConversation loads the check-in a conversation belongs to.
func CheckinByConversation(ctx context.Context, q Querier, conversationID int64) (Checkin, error) {
	c, err := scanCheckin(q.QueryRowContext(ctx, `SELECT `+checkinColumns+` FROM checkins WHERE conversation_id = $1`, conversationID))
	if err != nil {
		return c, fmt.Errorf("load checkin of conversation %d: %w", conversationID, err)
	}
	return c, nil
}

// CheckinsByReturnee lists a returnee's check-ins by planned open time.
func CheckinsByReturnee(ctx context.Context, q Querier, returneeID int64) ([]Checkin, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+checkinColumns+` FROM checkins WHERE returnee_id = $1 ORDER BY due_at, id`, returneeID)
	if err != nil {
		return nil, fmt.Errorf("list checkins: %w", err)
	}
	out, err := scanCheckins(rows)
	if err != nil {
		return nil, fmt.Errorf("list checkins: %w", err)
	}
	return out, nil
}
