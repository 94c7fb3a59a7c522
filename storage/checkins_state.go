package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrStaleLeader means a newer scheduler leader took over: the planning
// transaction that found it must roll back.
var ErrStaleLeader = errors.New("stale scheduler leader")

// TakeFence records a new planning leader and returns its fencing token,
// strictly greater than any given before. It waits for planning
// transactions of the previous leader in flight (they hold the row in share
// mode), and every later one of theirs is refused by CheckFence.
func TakeFence(ctx context.Context, q Querier, leader string, now time.Time) (int64, error) {
	var fence int64
	err := q.QueryRowContext(ctx, `
		UPDATE scheduler_state SET fence = fence + 1, leader = $1, fenced_at = $2
		RETURNING fence`, leader, now).Scan(&fence)
	if err != nil {
		return 0, fmt.Errorf("take scheduler fence: %w", err)
	}
	return fence, nil
}

// CheckFence refuses, with ErrStaleLeader, a planning transaction whose token
// is no longer the latest. It holds the state row in share mode until tx
// ends, so a new leader cannot take over halfway through the transaction.
func CheckFence(ctx context.Context, tx *sql.Tx, fence int64) error {
	var current int64
	if err := tx.QueryRowContext(ctx, `SELECT fence FROM scheduler_state FOR SHARE`).Scan(&current); err != nil {
		return fmt.Errorf("check scheduler fence: %w", err)
	}
	if current != fence {
		return fmt.Errorf("%w: token %d, latest %d", ErrStaleLeader, fence, current)
	}
	return nil
}

// PlannedThrough reports the local date through which every returnee known
// to the planner has its check-ins created; ok is false before the first
// planning pass.
func PlannedThrough(ctx context.Context, q Querier) (date time.Time, ok bool, err error) {
	var d sql.NullTime
	if err := q.QueryRowContext(ctx, `SELECT planned_through FROM scheduler_state`).Scan(&d); err != nil {
		return time.Time{}, false, fmt.Errorf("load planned-through date: %w", err)
	}
	if !d.Valid {
		return time.Time{}, false, nil
	}
	t := d.Time
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true, nil
}

// SetPlannedThrough records the date through which planning is complete.
func SetPlannedThrough(ctx context.Context, q Querier, date time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE scheduler_state SET planned_through = $1`, date.Format(time.DateOnly)); err != nil {
		return fmt.Errorf("record planned-through date: %w", err)
	}
	return nil
}
