package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// UpdateFailure is one failed attempt at handling a Telegram update.
type UpdateFailure struct {
	UpdateID int
	ChatID   int64 // 0 when the update has no chat
	Raw      []byte
	Error    string
	At       time.Time
}

// DeadLetter is an update given up after its attempts, or one still being
// retried (Dead false).
type DeadLetter struct {
	ID            int64
	UpdateID      int
	ChatID        int64
	Raw           []byte
	Error         string
	Attempts      int
	FirstFailedAt time.Time
	LastFailedAt  time.Time
	Dead          bool
}

// maxErrorLen bounds a stored error: enough to diagnose, never a message.
const maxErrorLen = 500

// storableError bounds an error's text and makes it valid text for
// PostgreSQL (no NUL, no rune cut in half).
func storableError(s string) string {
	if len(s) > maxErrorLen {
		s = s[:maxErrorLen]
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "")
}

// RecordFailure counts one failed attempt at f's update and, once it reached
// maxAttempts, makes it a dead letter and records its update id as handled,
// in one transaction: from then on intake goes past it. It returns the
// attempts so far and whether the update is now a dead letter.
func RecordFailure(ctx context.Context, db *sql.DB, f UpdateFailure, maxAttempts int) (attempts int, dead bool, err error) {
	f.Error = storableError(f.Error)
	err = InTx(ctx, db, func(tx *sql.Tx) error {
		var deadAt sql.NullTime
		err := tx.QueryRowContext(ctx, `
			INSERT INTO update_failures (update_id, chat_id, raw, error, attempts, first_failed_at, last_failed_at)
			VALUES ($1, NULLIF($2, 0), $3, $4, 1, $5, $5)
			ON CONFLICT (update_id) DO UPDATE
			   SET attempts = update_failures.attempts + 1, error = EXCLUDED.error,
			       last_failed_at = EXCLUDED.last_failed_at
			RETURNING attempts, dead_at`, f.UpdateID, f.ChatID, f.Raw, f.Error, f.At).Scan(&attempts, &deadAt)
		if err != nil {
			return err
		}
		if deadAt.Valid || attempts < maxAttempts {
			dead = deadAt.Valid
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE update_failures SET dead_at = $2 WHERE update_id = $1`, f.UpdateID, f.At); err != nil {
			return err
		}
		dead = true
		_, err = RecordUpdate(ctx, tx, f.UpdateID, f.At)
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("record failure of update %d: %w", f.UpdateID, err)
	}
	return attempts, dead, nil
}

// DeadLetters lists the dead letters, oldest first.
func DeadLetters(ctx context.Context, q Querier) ([]DeadLetter, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT id, update_id, COALESCE(chat_id, 0), raw, error, attempts, first_failed_at, last_failed_at, dead_at IS NOT NULL
		  FROM update_failures WHERE dead_at IS NOT NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	defer rows.Close()
	var out []DeadLetter
	for rows.Next() {
		var d DeadLetter
		if err := rows.Scan(&d.ID, &d.UpdateID, &d.ChatID, &d.Raw, &d.Error, &d.Attempts, &d.FirstFailedAt, &d.LastFailedAt, &d.Dead); err != nil {
			return nil, fmt.Errorf("list dead letters: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	return out, nil
}

// ErrNoDeadLetter means no dead letter has the given id.
var ErrNoDeadLetter = errors.New("no such dead letter")

// TakeDeadLetter locks dead letter id for a retry inside tx, deletes it and
// forgets its update id, so that the update is handled afresh in tx: when
// tx commits the dead letter is gone, when it rolls back nothing changed.
func TakeDeadLetter(ctx context.Context, tx *sql.Tx, id int64) (DeadLetter, error) {
	var d DeadLetter
	err := tx.QueryRowContext(ctx, `
		DELETE FROM update_failures WHERE id = $1 AND dead_at IS NOT NULL
		RETURNING id, update_id, COALESCE(chat_id, 0), raw, error, attempts, first_failed_at, last_failed_at`, id).
		Scan(&d.ID, &d.UpdateID, &d.ChatID, &d.Raw, &d.Error, &d.Attempts, &d.FirstFailedAt, &d.LastFailedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("dead letter %d: %w", id, ErrNoDeadLetter)
	}
	if err != nil {
		return d, fmt.Errorf("take dead letter %d: %w", id, err)
	}
	d.Dead = true
	if _, err := tx.ExecContext(ctx, `DELETE FROM telegram_updates WHERE update_id = $1`, d.UpdateID); err != nil {
		return d, fmt.Errorf("take dead letter %d: %w", id, err)
	}
	return d, nil
}

// DeadLetterRetryFailed counts one more failed attempt at dead letter id.
func DeadLetterRetryFailed(ctx context.Context, q Querier, id int64, errText string, at time.Time) (int, error) {
	errText = storableError(errText)
	var attempts int
	err := q.QueryRowContext(ctx, `
		UPDATE update_failures SET attempts = attempts + 1, error = $2, last_failed_at = $3
		 WHERE id = $1 RETURNING attempts`, id, errText, at).Scan(&attempts)
	if err != nil {
		return 0, fmt.Errorf("count retry of dead letter %d: %w", id, err)
	}
	return attempts, nil
}
