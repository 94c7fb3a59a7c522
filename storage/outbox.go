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
// messages are all done: known people's replies first, then replies to
// strangers (ephemeral), then bulk openers. A message is due when pending and
// its retry time has come, or when a sender's lease on it ran out (the sender
// died). SKIP LOCKED lets any number of senders share the work, the NOT
// EXISTS keeps one message per chat in flight, which keeps per-chat order,
// and the claim token marks this claim so that only its holder records the
// outcome.
const sqlClaimOutbox = `
UPDATE outbox o
SET status = 'sending', lease_until = $2, attempts = o.attempts + 1, claim_token = $4
WHERE o.id IN (
    SELECT c.id
    FROM outbox c
    WHERE c.status IN ('pending', 'sending')
      AND ((c.status = 'pending' AND c.next_attempt_at <= $1) OR (c.status = 'sending' AND c.lease_until < $1))
      AND NOT EXISTS (
          SELECT 1 FROM outbox p
          WHERE p.chat_id = c.chat_id AND p.id < c.id AND p.status IN ('pending', 'sending'))
    ORDER BY c.lane, c.ephemeral, c.id
    LIMIT $3
    FOR UPDATE SKIP LOCKED
)
RETURNING o.id, o.chat_id, o.lane, o.method, o.params, o.ephemeral, o.attempts, o.created_at`

// ClaimOutbox leases up to limit due messages of either lane, at most one
// per chat, to the claim token until now+lease.
func ClaimOutbox(ctx context.Context, db *sql.DB, now time.Time, lease time.Duration, limit int, token int64) ([]OutboxMessage, error) {
	return claim(ctx, db, sqlClaimOutbox, now, lease, limit, token)
}

// ClaimReplies is ClaimOutbox for the reply lane only, so a reply never
// waits for a pass busy with bulk openers.
func ClaimReplies(ctx context.Context, db *sql.DB, now time.Time, lease time.Duration, limit int, token int64) ([]OutboxMessage, error) {
	return claim(ctx, db, sqlClaimReplies, now, lease, limit, token)
}

var sqlClaimReplies = strings.Replace(sqlClaimOutbox, "WHERE c.status IN", "WHERE c.lane = 0 AND c.status IN", 1)

func claim(ctx context.Context, db *sql.DB, query string, now time.Time, lease time.Duration, limit int, token int64) ([]OutboxMessage, error) {
	rows, err := db.QueryContext(ctx, query, now, now.Add(lease), limit, token)
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	return out, nil
}

// RenewClaim extends the lease of a message the claim token still holds and
// reports false when another sender took it over (its lease ran out and it
// was claimed again): the caller must then leave it alone.
func RenewClaim(ctx context.Context, q Querier, id, token int64, until time.Time) (bool, error) {
	res, err := q.ExecContext(ctx, `
		UPDATE outbox SET lease_until = $3
		WHERE id = $1 AND claim_token = $2 AND status = 'sending'`, id, token, until)
	if err != nil {
		return false, fmt.Errorf("renew claim of message %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("renew claim of message %d: %w", id, err)
	}
	return n == 1, nil
}

// SendOutcome is what became of one claimed message.
type SendOutcome struct {
	ID                int64
	ClaimToken        int64     // the claim it was sent under
	Status            string    // sent, pending (retry or given back), failed
	RetryAt           time.Time // for pending
	Error             string
	TelegramMessageID int64
	Ephemeral         bool
	// CountAttempt false gives the attempt back (a 429 is not the message's
	// fault, and a message given back before its call was not attempted).
	CountAttempt bool
}

// sqlRecordOutcomes applies a batch of outcomes in one statement, each only
// if its claim still holds the row: a row another sender took over is never
// recorded twice.
const sqlRecordOutcomes = `
UPDATE outbox o
SET status = r.status,
    next_attempt_at = CASE WHEN r.status = 'pending' THEN r.retry_at ELSE o.next_attempt_at END,
    last_error = r.error,
    telegram_message_id = NULLIF(r.message_id, 0),
    sent_at = CASE WHEN r.status = 'sent' THEN $8::timestamptz ELSE o.sent_at END,
    attempts = CASE WHEN r.count_attempt THEN o.attempts ELSE o.attempts - 1 END,
    lease_until = NULL
FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::timestamptz[], $5::text[], $6::bigint[], $7::bool[])
     AS r(id, token, status, retry_at, error, message_id, count_attempt)
WHERE o.id = r.id AND o.claim_token = r.token AND o.status = 'sending'
RETURNING o.id, o.ephemeral AND o.status = 'sent'`

// RecordOutcomes stores what happened to claimed messages and reports how
// many it recorded (outcomes whose claim was taken over are left out); sent
// ephemeral messages are deleted.
func RecordOutcomes(ctx context.Context, q Querier, now time.Time, outcomes []SendOutcome) (int, error) {
	if len(outcomes) == 0 {
		return 0, nil
	}
	n := len(outcomes)
	ids, tokens, statuses, retry := make([]int64, n), make([]int64, n), make([]string, n), make([]time.Time, n)
	errs, msgIDs, count := make([]string, n), make([]int64, n), make([]bool, n)
	for i, o := range outcomes {
		ids[i], tokens[i], statuses[i], errs[i], msgIDs[i], count[i] = o.ID, o.ClaimToken, o.Status, o.Error, o.TelegramMessageID, o.CountAttempt
		retry[i] = o.RetryAt
		if retry[i].IsZero() {
			retry[i] = now
		}
	}
	rows, err := q.QueryContext(ctx, sqlRecordOutcomes, pq.Array(ids), pq.Array(tokens), pq.Array(statuses),
		pq.Array(retry), pq.Array(errs), pq.Array(msgIDs), pq.Array(count), now)
	if err != nil {
		return 0, fmt.Errorf("record send outcomes: %w", err)
	}
	defer rows.Close()
	recorded := 0
	var gone []int64
	for rows.Next() {
		var id int64
		var ephemeralSent bool
		if err := rows.Scan(&id, &ephemeralSent); err != nil {
			return 0, fmt.Errorf("record send outcomes: %w", err)
		}
		recorded++
		if ephemeralSent {
			gone = append(gone, id)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("record send outcomes: %w", err)
	}
	rows.Close()
	if len(gone) > 0 {
		if _, err := q.ExecContext(ctx, `DELETE FROM outbox WHERE id = ANY($1)`, pq.Array(gone)); err != nil {
			return 0, fmt.Errorf("delete ephemeral messages: %w", err)
		}
	}
	return recorded, nil
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
