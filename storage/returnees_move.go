package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// sqlMoveReturnee binds a consenting returnee to another Telegram account
// and reports the chat they were bound to. A returnee marked unreachable
// (the old phone blocked the bot or is gone) is reachable again.
const sqlMoveReturnee = `
UPDATE returnees n SET telegram_id = $2, chat_id = $3, updated_at = $4,
    status = CASE WHEN n.status = 'unreachable' THEN 'active' ELSE n.status END
FROM (SELECT id, chat_id FROM returnees WHERE id = $1 FOR UPDATE) o
WHERE n.id = o.id AND n.consent = 'accepted' AND n.status <> 'deleted'
RETURNING o.chat_id`

// MoveReturnee moves a returnee's follow-up to a new Telegram account (a
// new phone), in the caller's transaction: the returnee is bound to the new
// account and chat, every invitation they opened is complete, and what was
// still queued for the old chat is dropped, so the old account stops
// receiving at once. Conversations and check-ins are untouched: an open
// check-in goes on in the new chat. A returnee who has not consented, or
// was deleted, is ErrInvalid; a Telegram account bound to another returnee
// is ErrConflict.
func MoveReturnee(ctx context.Context, q Querier, id, telegramID, chatID int64, now time.Time) error {
	var oldChat *int64
	err := q.QueryRowContext(ctx, sqlMoveReturnee, id, telegramID, chatID, now).Scan(&oldChat)
	var pqErr *pq.Error
	switch {
	case errors.As(err, &pqErr) && pqErr.Code == "23505":
		return fmt.Errorf("move returnee %d: this Telegram account is already enrolled: %w", id, ErrConflict)
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("move returnee %d: not consenting or deleted: %w", id, ErrInvalid)
	case err != nil:
		return fmt.Errorf("move returnee %d: %w", id, err)
	}
	if err := CompleteReturneeInvitations(ctx, q, id, now); err != nil {
		return err
	}
	if oldChat != nil && *oldChat != chatID {
		if _, err := q.ExecContext(ctx, `UPDATE outbox SET status = 'dropped', lease_until = NULL, last_error = 'moved'
			WHERE chat_id = $1 AND status IN ('pending', 'sending')`, *oldChat); err != nil {
			return fmt.Errorf("move returnee %d: drop queued messages: %w", id, err)
		}
	}
	return nil
}
