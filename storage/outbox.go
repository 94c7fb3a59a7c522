package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"
)

// Outbox lanes: replies inside a conversation go before bulk openers.
const (
	LaneReply = 0
	LaneBulk  = 1
)

// Outbox statuses.
const (
	OutboxPending = "pending"
	OutboxSending = "sending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
	OutboxDropped = "dropped"
)

// OutboxMessage is one Bot API call waiting to be made after commit.
type OutboxMessage struct {
	ID        int64
	ChatID    int64
	Lane      int
	Method    string
	Params    map[string]string
	Ephemeral bool // deleted once sent: replies to people Suivi does not know
	Attempts  int
	CreatedAt time.Time
}

// EnqueueMessages writes outgoing calls in the caller's transaction.
func EnqueueMessages(ctx context.Context, q Querier, msgs ...OutboxMessage) error {
	for _, m := range msgs {
		params, err := json.Marshal(m.Params)
		if err != nil {
			return fmt.Errorf("enqueue message: %w", err)
		}
		if _, err := q.ExecContext(ctx, `
			INSERT INTO outbox (chat_id, lane, method, params, ephemeral)
			VALUES ($1, $2, $3, $4, $5)`,
			m.ChatID, m.Lane, m.Method, params, m.Ephemeral); err != nil {
			return fmt.Errorf("enqueue message: %w", err)
		}
	}
	return nil
}

// sqlClaimOutbox takes the oldest due message of each chat whose earlier
// messages are all done, replies first. A message is due when pending and its
// retry time has come, or when a sender's lease on it ran out (the sender
// died). SKIP LOCKED lets any number of senders share the work, and the NOT
// EXISTS keeps one message per chat in flight, which keeps per-chat order.
const sqlClaimOutbox = `
UPDATE outbox o
SET status = 'sending', lease_until = $2, attempts = o.attempts + 1
WHERE o.id IN (
    SELECT c.id
    FROM outbox c
    WHERE c.status IN ('pending', 'sending')
      AND ((c.status = 'pending' AND c.next_attempt_at <= $1) OR (c.status = 'sending' AND c.lease_until < $1))
      AND NOT EXISTS (
          SELECT 1 FROM outbox p
          WHERE p.chat_id = c.chat_id AND p.id < c.id AND p.status IN ('pending', 'sending'))
    ORDER BY c.lane, c.id
    LIMIT $3
    FOR UPDATE SKIP LOCKED
)
RETURNING o.id, o.chat_id, o.lane, o.method, o.params, o.ephemeral, o.attempts, o.created_at`

// ClaimOutbox leases up to limit due messages of either lane, at most one
// per chat, to this sender until now+lease.
func ClaimOutbox(ctx context.Context, db *sql.DB, now time.Time, lease time.Duration, limit int) ([]OutboxMessage, error) {
	return claim(ctx, db, sqlClaimOutbox, now, lease, limit)
}

// ClaimReplies is ClaimOutbox for the reply lane only, so a reply never
// waits for a pass busy with bulk openers.
func ClaimReplies(ctx context.Context, db *sql.DB, now time.Time, lease time.Duration, limit int) ([]OutboxMessage, error) {
	return claim(ctx, db, sqlClaimReplies, now, lease, limit)
}

var sqlClaimReplies = strings.Replace(sqlClaimOutbox, "WHERE c.status IN", "WHERE c.lane = 0 AND c.status IN", 1)

func claim(ctx context.Context, db *sql.DB, query string, now time.Time, lease time.Duration, limit int) ([]OutboxMessage, error) {
	rows, err := db.QueryContext(ctx, query, now, now.Add(lease), limit)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		var m OutboxMessage
		var params []byte
		if err := rows.Scan(&m.ID, &m.ChatID, &m.Lane, &m.Method, &params, &m.Ephemeral, &m.Attempts, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("claim outbox: %w", err)
		}
		if err := json.Unmarshal(params, &m.Params); err != nil {
			return nil, fmt.Errorf("claim outbox: message %d params: %w", m.ID, err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SendOutcome is what became of one claimed message.
type SendOutcome struct {
	ID                int64
	Status            string    // sent, pending (retry), failed
	RetryAt           time.Time // for pending
	Error             string
	TelegramMessageID int64
	Ephemeral         bool
	// CountAttempt false gives the attempt back (a 429 is not the message's fault).
	CountAttempt bool
}

// sqlRecordOutcomes applies a batch of outcomes in one statement.
const sqlRecordOutcomes = `
UPDATE outbox o
SET status = r.status,
    next_attempt_at = CASE WHEN r.status = 'pending' THEN r.retry_at ELSE o.next_attempt_at END,
    last_error = r.error,
    telegram_message_id = NULLIF(r.message_id, 0),
    sent_at = CASE WHEN r.status = 'sent' THEN $7::timestamptz ELSE o.sent_at END,
    attempts = CASE WHEN r.count_attempt THEN o.attempts ELSE o.attempts - 1 END,
    lease_until = NULL
FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[], $5::bigint[], $6::bool[])
     AS r(id, status, retry_at, error, message_id, count_attempt)
WHERE o.id = r.id AND o.status = 'sending'`

// RecordOutcomes stores what happened to claimed messages; ephemeral
// messages that were sent are deleted.
func RecordOutcomes(ctx context.Context, q Querier, now time.Time, outcomes []SendOutcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	n := len(outcomes)
	ids, statuses, retry, errs, msgIDs, count := make([]int64, n), make([]string, n), make([]time.Time, n), make([]string, n), make([]int64, n), make([]bool, n)
	var gone []int64
	for i, o := range outcomes {
		ids[i], statuses[i], errs[i], msgIDs[i], count[i] = o.ID, o.Status, o.Error, o.TelegramMessageID, o.CountAttempt
		retry[i] = o.RetryAt
		if retry[i].IsZero() {
			retry[i] = now
		}
		if o.Ephemeral && o.Status == OutboxSent {
			gone = append(gone, o.ID)
		}
	}
	if _, err := q.ExecContext(ctx, sqlRecordOutcomes, pq.Array(ids), pq.Array(statuses), pq.Array(retry),
		pq.Array(errs), pq.Array(msgIDs), pq.Array(count), now); err != nil {
		return fmt.Errorf("record send outcomes: %w", err)
	}
	if len(gone) > 0 {
		if _, err := q.ExecContext(ctx, `DELETE FROM outbox WHERE id = ANY($1)`, pq.Array(gone)); err != nil {
			return fmt.Errorf("delete ephemeral messages: %w", err)
		}
	}
	return nil
}

// DropChatQueue drops every message still waiting for a chat that Telegram
// refuses (blocked or deactivated) and reports how many were dropped.
func DropChatQueue(ctx context.Context, q Querier, chatID int64, reason string) (int64, error) {
	res, err := q.ExecContext(ctx, `
		UPDATE outbox SET status = 'dropped', last_error = $2, lease_until = NULL
		WHERE chat_id = $1 AND status = 'pending'`, chatID, reason)
	if err != nil {
		return 0, fmt.Errorf("drop chat queue: %w", err)
	}
	return res.RowsAffected()
}

// OutboxDepth counts waiting messages per lane.
func OutboxDepth(ctx context.Context, q Querier) (map[int]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT lane, count(*) FROM outbox WHERE status IN ('pending', 'sending') GROUP BY lane`)
	if err != nil {
		return nil, fmt.Errorf("outbox depth: %w", err)
	}
	defer rows.Close()
	depth := map[int]int64{LaneReply: 0, LaneBulk: 0}
	for rows.Next() {
		var lane int
		var n int64
		if err := rows.Scan(&lane, &n); err != nil {
			return nil, fmt.Errorf("outbox depth: %w", err)
		}
		depth[lane] = n
	}
	return depth, rows.Err()
}
