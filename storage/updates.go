package storage

import (
	"context"
	"fmt"
	"time"
)

// RecordUpdate records a Telegram update id in the transaction that handles
// it. It reports false when the update was already handled, in which case the
// caller must do nothing. A concurrent duplicate waits for the first
// transaction and then sees the conflict. at is when it was handled, by the
// app's clock (retention counts from it).
func RecordUpdate(ctx context.Context, q Querier, updateID int, at time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO telegram_updates (update_id, handled_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`, updateID, at)
	if err != nil {
		return false, fmt.Errorf("record update: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record update: %w", err)
	}
	return n == 1, nil
}

// ChatLockSpace is the first key of the per-chat transaction locks ("chat"),
// apart from the single-key advisory locks of leases and migrations.
const ChatLockSpace = 0x63686174

// sqlStartUpdate takes the chat's transaction lock and records the update
// id in one plain statement (the insert reads from the lock function, so the
// lock is held before the id is written). It stays this simple on purpose:
// it runs for every update, and a statement with CTEs costs a third of the
// handler's throughput in planning alone.
const sqlStartUpdate = `
INSERT INTO telegram_updates (update_id, handled_at)
SELECT $1, $4 FROM pg_advisory_xact_lock($2, hashint8($3))
ON CONFLICT DO NOTHING`

// StartUpdate begins handling an update in the caller's transaction: one
// chat's updates wait for each other (Telegram may post several webhook
// calls of one chat at once, and each must see what the previous one
// committed) and the update id is recorded (false: already handled, do
// nothing), handled at the app's clock.
func StartUpdate(ctx context.Context, q Querier, updateID int, chatID int64, at time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, sqlStartUpdate, updateID, ChatLockSpace, chatID, at)
	if err != nil {
		return false, fmt.Errorf("start update: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("start update: %w", err)
	}
	return n == 1, nil
}

// ClearFailures forgets the failed attempts of an update that has now been
// handled, in the transaction that handled it.
func ClearFailures(ctx context.Context, q Querier, updateID int) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM update_failures WHERE update_id = $1 AND dead_at IS NULL`, updateID); err != nil {
		return fmt.Errorf("clear failures of update %d: %w", updateID, err)
	}
	return nil
}
