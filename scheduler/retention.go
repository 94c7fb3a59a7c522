package scheduler

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Retention periods: handled update ids only guard against redelivery,
// delivered or abandoned outbox rows only help debugging, and dead letters
// (which hold raw messages) are kept long enough to be looked at and retried.
const (
	UpdatesRetention    = 7 * 24 * time.Hour
	OutboxRetention     = 30 * 24 * time.Hour
	DeadLetterRetention = 30 * 24 * time.Hour
)

// retentionChunk bounds each delete, so a large backlog never holds long locks.
const retentionChunk = 5000

const sqlDeleteOldUpdates = `
DELETE FROM telegram_updates
WHERE update_id IN (SELECT update_id FROM telegram_updates
                    WHERE handled_at < $1
                    LIMIT $2)`

const sqlDeleteOldOutbox = `
DELETE FROM outbox
WHERE id IN (SELECT id FROM outbox
             WHERE status IN ('sent', 'failed', 'dropped')
               AND created_at < $1
             LIMIT $2)`

const sqlDeleteOldFailures = `
DELETE FROM update_failures
WHERE id IN (SELECT id FROM update_failures
             WHERE last_failed_at < $1
             LIMIT $2)`

// sqlDeleteSettledFailures forgets the failed attempts of updates handled
// since (their success cleared them unless another process had counted
// them): such a row holds a raw message and no longer serves.
const sqlDeleteSettledFailures = `
DELETE FROM update_failures
WHERE id IN (SELECT f.id FROM update_failures f
             JOIN telegram_updates t ON t.update_id = f.update_id
             WHERE f.dead_at IS NULL AND f.last_failed_at < $1
             LIMIT $2)`

// RetentionJob deletes, daily on the leader, telegram_updates rows older
// than UpdatesRetention, finished outbox rows (sent, failed, dropped) older
// than OutboxRetention, and update failures and dead letters whose last
// attempt is older than DeadLetterRetention. The wiring adds it with AddJob.
func RetentionJob(db *sql.DB) Job {
	return Job{
		Name:       "retention",
		Spec:       "17 3 * * *",
		Timeout:    30 * time.Minute,
		LeaderOnly: true,
		Run: func(ctx context.Context, now time.Time) error {
			updates, err := deleteInChunks(ctx, db, sqlDeleteOldUpdates, now.Add(-UpdatesRetention))
			Report(ctx, "telegram_updates_deleted", updates)
			if err != nil {
				return fmt.Errorf("delete old telegram updates: %w", err)
			}
			outbox, err := deleteInChunks(ctx, db, sqlDeleteOldOutbox, now.Add(-OutboxRetention))
			Report(ctx, "outbox_deleted", outbox)
			if err != nil {
				return fmt.Errorf("delete old outbox rows: %w", err)
			}
			failures, err := deleteInChunks(ctx, db, sqlDeleteOldFailures, now.Add(-DeadLetterRetention))
			if err == nil {
				var settled int64
				settled, err = deleteInChunks(ctx, db, sqlDeleteSettledFailures, now.Add(-time.Hour))
				failures += settled
			}
			Report(ctx, "update_failures_deleted", failures)
			if err != nil {
				return fmt.Errorf("delete old dead letters: %w", err)
			}
			return nil
		},
	}
}

func deleteInChunks(ctx context.Context, db *sql.DB, query string, before time.Time) (int64, error) {
	var total int64
	for {
		res, err := db.ExecContext(ctx, query, before, retentionChunk)
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += n
		if n < retentionChunk {
			return total, nil
		}
	}
}
