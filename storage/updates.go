package storage

import (
	"context"
	"fmt"
)

// RecordUpdate records a Telegram update id in the transaction that handles
// it. It reports false when the update was already handled, in which case the
// caller must do nothing. A concurrent duplicate waits for the first
// transaction and then sees the conflict.
func RecordUpdate(ctx context.Context, q Querier, updateID int) (bool, error) {
	res, err := q.ExecContext(ctx, `INSERT INTO telegram_updates (update_id) VALUES ($1) ON CONFLICT DO NOTHING`, updateID)
	if err != nil {
		return false, fmt.Errorf("record update: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record update: %w", err)
	}
	return n == 1, nil
}
