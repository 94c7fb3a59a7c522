package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// StrangerReplyEvery is how often at most Suivi answers one Telegram account
// it does not know, so a flood of unknown accounts cannot fill the reply lane.
const StrangerReplyEvery = 10 * time.Minute

// sqlNoteStrangerReply records a reply to a stranger unless one was made in
// the last StrangerReplyEvery; only the account id and the time are kept.
const sqlNoteStrangerReply = `
INSERT INTO stranger_replies (telegram_id, replied_at) VALUES ($1, $2)
ON CONFLICT (telegram_id) DO UPDATE SET replied_at = EXCLUDED.replied_at
WHERE stranger_replies.replied_at <= $3
RETURNING 1`

// sqlPurgeStrangerReplies forgets accounts whose quiet time is over, a few at
// a time; SKIP LOCKED keeps two purges from waiting on each other.
const sqlPurgeStrangerReplies = `
DELETE FROM stranger_replies WHERE telegram_id IN (
    SELECT telegram_id FROM stranger_replies WHERE replied_at <= $1
    ORDER BY replied_at LIMIT 100 FOR UPDATE SKIP LOCKED)`

// ReplyToStranger reports whether Suivi may answer the Telegram account now,
// and if so notes the reply in the caller's transaction. It also purges
// accounts not answered for StrangerReplyEvery, so the table stays small.
func ReplyToStranger(ctx context.Context, q Querier, telegramID int64, now time.Time) (bool, error) {
	quietSince := now.Add(-StrangerReplyEvery)
	var one int
	err := q.QueryRowContext(ctx, sqlNoteStrangerReply, telegramID, now, quietSince).Scan(&one)
	switch {
	case err == nil:
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	default:
		return false, fmt.Errorf("note stranger reply: %w", err)
	}
	if _, err := q.ExecContext(ctx, sqlPurgeStrangerReplies, quietSince); err != nil {
		return false, fmt.Errorf("purge stranger replies: %w", err)
	}
	return true, nil
}
