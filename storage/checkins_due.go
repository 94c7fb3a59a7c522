package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// CheckinRef points at a check-in to work on, with the instant it is due at,
// which pages through due work in order.
type CheckinRef struct {
	ID         int64
	ReturneeID int64
	At         time.Time
}

const sqlDueCheckins = `
SELECT c.id, c.returnee_id, c.open_at
FROM checkins c
JOIN returnees r ON r.id = c.returnee_id
WHERE c.status = 'planned'
  AND c.open_at <= $1
  AND (c.open_at, c.id) > ($2, $3)
  AND r.consent = 'accepted'
  AND r.chat_id IS NOT NULL
  AND NOT r.safety_hold
  AND (r.status = 'active' OR (r.status = 'paused' AND r.paused_until <= $1))
  AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.returnee_id = c.returnee_id AND o.status = 'open')
ORDER BY c.open_at, c.id
LIMIT $4`

// DueCheckins lists planned check-ins due by now, after the given position,
// whose returnee may be contacted and has no check-in open. It takes no lock:
// each one is claimed in its own transaction.
func DueCheckins(ctx context.Context, q Querier, now time.Time, after CheckinRef, limit int) ([]CheckinRef, error) {
	return checkinRefs(ctx, q, "load due checkins", sqlDueCheckins, now, after, limit)
}

const sqlActionCheckins = `
SELECT id, returnee_id, next_action_at
FROM checkins
WHERE status = 'open'
  AND next_action_at <= $1
  AND (next_action_at, id) > ($2, $3)
ORDER BY next_action_at, id
LIMIT $4`

// ActionCheckins lists open check-ins whose reminder or expiry is due by now,
// after the given position.
func ActionCheckins(ctx context.Context, q Querier, now time.Time, after CheckinRef, limit int) ([]CheckinRef, error) {
	return checkinRefs(ctx, q, "load checkins to remind or expire", sqlActionCheckins, now, after, limit)
}

func checkinRefs(ctx context.Context, q Querier, what, query string, now time.Time, after CheckinRef, limit int) ([]CheckinRef, error) {
	rows, err := q.QueryContext(ctx, query, now, after.At, after.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []CheckinRef
	for rows.Next() {
		var r CheckinRef
		if err := rows.Scan(&r.ID, &r.ReturneeID, &r.At); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// CheckinReturnee is what deciding on a check-in needs to know of its returnee.
type CheckinReturnee struct {
	ID          int64
	Consent     string
	ChatID      *int64
	Status      string
	PausedUntil *time.Time
	SafetyHold  bool
	Timezone    string
	WindowStart string // HH:MM
	WindowEnd   string // HH:MM
}

const sqlClaimCheckinReturnee = `
SELECT id, consent, chat_id, status, paused_until, safety_hold, timezone,
       to_char(window_start, 'HH24:MI'), to_char(window_end, 'HH24:MI')
FROM returnees
WHERE id = $1
FOR UPDATE SKIP LOCKED`

// ClaimCheckinReturnee locks a returnee's row until tx ends, in the same
// order and mode as the bot (returnee first, FOR UPDATE, so the Opener's own
// LockReturnee never waits), without waiting: ok is false when another
// transaction holds it (the bot handling a message, the planner's foreign
// key checks) or it is gone, and the caller tries later.
func ClaimCheckinReturnee(ctx context.Context, tx *sql.Tx, id int64) (r CheckinReturnee, ok bool, err error) {
	err = tx.QueryRowContext(ctx, sqlClaimCheckinReturnee, id).Scan(&r.ID, &r.Consent, &r.ChatID, &r.Status,
		&r.PausedUntil, &r.SafetyHold, &r.Timezone, &r.WindowStart, &r.WindowEnd)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("claim returnee %d: %w", id, err)
	}
	return r, true, nil
}

// ClaimCheckin locks a check-in that is still in the given status until tx
// ends, without waiting: ok is false when another replica holds it or its
// status changed.
func ClaimCheckin(ctx context.Context, tx *sql.Tx, id int64, status string) (c Checkin, ok bool, err error) {
	c, err = scanCheckin(tx.QueryRowContext(ctx, `SELECT `+checkinColumns+` FROM checkins
		WHERE id = $1 AND status = $2 FOR UPDATE SKIP LOCKED`, id, status))
	if errors.Is(err, ErrNotFound) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("claim checkin %d: %w", id, err)
	}
	return c, true, nil
}

// HasOpenCheckin reports whether the returnee has a check-in open.
func HasOpenCheckin(ctx context.Context, q Querier, returneeID int64) (bool, error) {
	var open bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM checkins WHERE returnee_id = $1 AND status = 'open')`,
		returneeID).Scan(&open)
	if err != nil {
		return false, fmt.Errorf("look for open checkin: %w", err)
	}
	return open, nil
}

const sqlMarkCheckinOpened = `
UPDATE checkins
SET status = 'open', conversation_id = $2, opened_at = $3, expires_at = $4, next_action_at = $5,
    reminders = 0, last_attempt_at = $3, updated_at = $3
WHERE id = $1`

// MarkCheckinOpened records that a check-in's conversation started.
func MarkCheckinOpened(ctx context.Context, q Querier, id, conversationID int64, at, expiresAt, nextAction time.Time) error {
	if _, err := q.ExecContext(ctx, sqlMarkCheckinOpened, id, conversationID, at, expiresAt, nextAction); err != nil {
		return fmt.Errorf("mark checkin %d open: %w", id, err)
	}
	return nil
}

// MoveCheckin sets a planned check-in's open instant (catch-up, a window
// missed by a late tick, a retry after a failure), at now.
func MoveCheckin(ctx context.Context, q Querier, id int64, openAt, now time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE checkins SET open_at = $2, updated_at = $3 WHERE id = $1 AND status = 'planned'`,
		id, openAt, now); err != nil {
		return fmt.Errorf("move checkin %d: %w", id, err)
	}
	return nil
}

// RecordCheckinAttempt notes an attempt to open a check-in that did not
// succeed; failed counts it as a failure (a busy returnee is not one).
func RecordCheckinAttempt(ctx context.Context, q Querier, id int64, at time.Time, failed bool) error {
	if _, err := q.ExecContext(ctx, `
		UPDATE checkins SET last_attempt_at = $2, attempts = attempts + CASE WHEN $3 THEN 1 ELSE 0 END, updated_at = $2
		WHERE id = $1 AND status = 'planned'`, id, at, failed); err != nil {
		return fmt.Errorf("record checkin %d attempt: %w", id, err)
	}
	return nil
}

// MarkCheckinReminded records reminder number n (sent at remindedAt, or nil
// when it was passed over) and the next action's instant, at now.
func MarkCheckinReminded(ctx context.Context, q Querier, id int64, n int, remindedAt *time.Time, nextAction, now time.Time) error {
	if _, err := q.ExecContext(ctx, `
		UPDATE checkins SET reminders = $2, reminded_at = COALESCE($3, reminded_at), next_action_at = $4, updated_at = $5
		WHERE id = $1`, id, n, remindedAt, nextAction, now); err != nil {
		return fmt.Errorf("mark checkin %d reminded: %w", id, err)
	}
	return nil
}

// SetCheckinNextAction moves an open check-in's next reminder or expiry, at now.
func SetCheckinNextAction(ctx context.Context, q Querier, id int64, at, now time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE checkins SET next_action_at = $2, updated_at = $3 WHERE id = $1`, id, at, now); err != nil {
		return fmt.Errorf("set checkin %d next action: %w", id, err)
	}
	return nil
}

// CloseCheckin ends an open check-in with a final status (completed, missed,
// skipped or cancelled) and, for a missed one, its missed streak.
func CloseCheckin(ctx context.Context, q Querier, id int64, status string, at time.Time, missedStreak int) error {
	if _, err := q.ExecContext(ctx, `
		UPDATE checkins SET status = $2, closed_at = $3, missed_streak = $4, next_action_at = NULL, updated_at = $3
		WHERE id = $1`, id, status, at, missedStreak); err != nil {
		return fmt.Errorf("close checkin %d: %w", id, err)
	}
	return nil
}

// LastAnsweredOrMissed loads the returnee's latest check-in, other than
// exceptID, that was completed or missed; skipped and cancelled ones neither
// break nor extend a missed streak.
func LastAnsweredOrMissed(ctx context.Context, q Querier, returneeID, exceptID int64) (Checkin, error) {
	c, err := scanCheckin(q.QueryRowContext(ctx, `SELECT `+checkinColumns+` FROM checkins
		WHERE returnee_id = $1 AND id <> $2 AND status IN ('completed', 'missed')
		ORDER BY opened_at DESC NULLS LAST, id DESC
		LIMIT 1`, returneeID, exceptID))
	if err != nil {
		return c, fmt.Errorf("load previous checkin: %w", err)
	}
	return c, nil
}

// ConversationStatus reports a conversation's status (active, completed,
// expired, cancelled).
func ConversationStatus(ctx context.Context, q Querier, id int64) (string, error) {
	var status string
	err := q.QueryRowContext(ctx, `SELECT status FROM conversations WHERE id = $1`, id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("conversation %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("load conversation %d status: %w", id, err)
	}
	return status, nil
}

// CheckinLoad reports whether the returnee has a check-in open, and when
// their last check-in was opened (nil when never), so that the scheduler
// keeps check-ins apart.
func CheckinLoad(ctx context.Context, q Querier, returneeID int64) (open bool, lastOpened *time.Time, err error) {
	var last sql.NullTime
	err = q.QueryRowContext(ctx, `
		SELECT COALESCE(bool_or(status = 'open'), false), max(opened_at)
		FROM checkins WHERE returnee_id = $1`, returneeID).Scan(&open, &last)
	if err != nil {
		return false, nil, fmt.Errorf("load checkin load: %w", err)
	}
	if last.Valid {
		lastOpened = &last.Time
	}
	return open, lastOpened, nil
}
