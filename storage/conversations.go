package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// Conversation is one run of a flow with one returnee; State is the engine's
// state as JSON.
type Conversation struct {
	ID          int64
	ReturneeID  int64
	FlowID      string
	FlowVersion int
	State       json.RawMessage
	Status      string // active, completed, expired, cancelled
	StartedAt   time.Time
	UpdatedAt   time.Time
}

// Conversation statuses.
const (
	ConversationActive    = "active"
	ConversationCompleted = "completed"
	ConversationExpired   = "expired"
	ConversationCancelled = "cancelled"
)

const conversationColumns = `id, returnee_id, flow_id, flow_version, state, status, started_at, updated_at`

func scanConversation(row rowScanner) (Conversation, error) {
	var c Conversation
	var state []byte
	err := row.Scan(&c.ID, &c.ReturneeID, &c.FlowID, &c.FlowVersion, &state, &c.Status, &c.StartedAt, &c.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	c.State = state
	return c, err
}

// ActiveConversation returns the returnee's open conversation, locked.
func ActiveConversation(ctx context.Context, q Querier, returneeID int64) (Conversation, error) {
	c, err := scanConversation(q.QueryRowContext(ctx, `SELECT `+conversationColumns+`
		FROM conversations WHERE returnee_id = $1 AND status = 'active' FOR UPDATE`, returneeID))
	if err != nil {
		return c, fmt.Errorf("load active conversation: %w", err)
	}
	return c, nil
}

// ConversationByID loads a conversation.
func ConversationByID(ctx context.Context, q Querier, id int64) (Conversation, error) {
	c, err := scanConversation(q.QueryRowContext(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = $1`, id))
	if err != nil {
		return c, fmt.Errorf("load conversation %d: %w", id, err)
	}
	return c, nil
}

// CreateConversation opens a conversation. A returnee already in another
// one gets ErrConflict: a person never has two open at once.
func CreateConversation(ctx context.Context, q Querier, returneeID int64, flowID string, version int, state json.RawMessage, now time.Time) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `
		INSERT INTO conversations (returnee_id, flow_id, flow_version, state, started_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5)
		ON CONFLICT (returnee_id) WHERE status = 'active' DO NOTHING
		RETURNING id`, returneeID, flowID, version, []byte(state), now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("open conversation: returnee %d is in another conversation: %w", returneeID, ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("open conversation: %w", err)
	}
	return id, nil
}

// SaveConversation stores the engine state and status.
func SaveConversation(ctx context.Context, q Querier, id int64, state json.RawMessage, status string, now time.Time) error {
	_, err := q.ExecContext(ctx, `
		UPDATE conversations
		SET state = $2, status = $3, updated_at = $4,
		    finished_at = CASE WHEN $3 = 'active' THEN NULL ELSE $4::timestamptz END
		WHERE id = $1`, id, []byte(state), status, now)
	if err != nil {
		return fmt.Errorf("save conversation %d: %w", id, err)
	}
	return nil
}

// AnswerRow is an answer to store.
type AnswerRow struct {
	QuestionID string
	Value      json.RawMessage
	Score      *float64
	Dimension  string
	Indicator  string
}

// InsertAnswers stores answers once: an answer already recorded for the
// question in this conversation is never rewritten. Each answer keeps the
// conversation's flow version, which outlives the conversation.
func InsertAnswers(ctx context.Context, q Querier, conversationID, returneeID int64, flowID string, rows []AnswerRow, now time.Time) error {
	for _, a := range rows {
		if _, err := q.ExecContext(ctx, `
			INSERT INTO answers (conversation_id, returnee_id, flow_id, flow_version, question_id, value, score, dimension, indicator, answered_at)
			VALUES ($1, $2, $3, (SELECT flow_version FROM conversations WHERE id = $1), $4, $5, $6, $7, $8, $9)
			ON CONFLICT (conversation_id, question_id) DO NOTHING`,
			conversationID, returneeID, flowID, a.QuestionID, []byte(a.Value), a.Score, a.Dimension, a.Indicator, now); err != nil {
			return fmt.Errorf("store answer: %w", err)
		}
	}
	return nil
}

// SaveScores stores computed values of a conversation, replacing earlier ones.
func SaveScores(ctx context.Context, q Querier, conversationID, returneeID int64, flowID string, scores map[string]float64, now time.Time) error {
	for name, v := range scores {
		if _, err := q.ExecContext(ctx, `
			INSERT INTO scores (conversation_id, returnee_id, flow_id, name, value, computed_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (conversation_id, name) WHERE conversation_id IS NOT NULL
			DO UPDATE SET value = EXCLUDED.value, computed_at = EXCLUDED.computed_at`,
			conversationID, returneeID, flowID, name, v, now); err != nil {
			return fmt.Errorf("store score: %w", err)
		}
	}
	return nil
}

// CountReturneeData counts what is stored about a returnee, for /mydata.
func CountReturneeData(ctx context.Context, q Querier, returneeID int64) (conversations, completed, answers, alerts int, err error) {
	err = q.QueryRowContext(ctx, `
		SELECT (SELECT count(*) FROM conversations WHERE returnee_id = $1 AND flow_id <> 'onboarding'),
		       (SELECT count(*) FROM conversations WHERE returnee_id = $1 AND flow_id <> 'onboarding' AND status = 'completed'),
		       (SELECT count(*) FROM answers WHERE returnee_id = $1),
		       (SELECT count(*) FROM alerts WHERE returnee_id = $1)`, returneeID).Scan(&conversations, &completed, &answers, &alerts)
	if err != nil {
		err = fmt.Errorf("count returnee data: %w", err)
	}
	return
}

// UpdateReturneeSettings applies what the returnee chose.
func UpdateReturneeSettings(ctx context.Context, q Querier, id int64, language, windowStart, windowEnd string) error {
	_, err := q.ExecContext(ctx, `
		UPDATE returnees SET
		    language = COALESCE(NULLIF($2, ''), language),
		    window_start = COALESCE(NULLIF($3, '')::time, window_start),
		    window_end = COALESCE(NULLIF($4, '')::time, window_end),
		    updated_at = now()
		WHERE id = $1`, id, language, windowStart, windowEnd)
	if err != nil {
		return fmt.Errorf("update returnee settings: %w", err)
	}
	return nil
}

// SetReturneeStatus sets the follow-up status and the pause end.
func SetReturneeStatus(ctx context.Context, q Querier, id int64, status string, pausedUntil *time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE returnees SET status = $2, paused_until = $3, updated_at = now() WHERE id = $1`, id, status, pausedUntil)
	if err != nil {
		return fmt.Errorf("set returnee status: %w", err)
	}
	return nil
}

// SetSafetyHold pauses routine check-ins until a human has followed up.
func SetSafetyHold(ctx context.Context, q Querier, id int64, hold bool) error {
	_, err := q.ExecContext(ctx, `UPDATE returnees SET safety_hold = $2, updated_at = now() WHERE id = $1`, id, hold)
	if err != nil {
		return fmt.Errorf("set safety hold: %w", err)
	}
	return nil
}

// CancelConversations closes the returnee's open conversation, if any.
func CancelConversations(ctx context.Context, q Querier, returneeID int64, now time.Time) error {
	_, err := q.ExecContext(ctx, `
		UPDATE conversations SET status = 'cancelled', updated_at = $2, finished_at = $2
		WHERE returnee_id = $1 AND status = 'active'`, returneeID, now)
	if err != nil {
		return fmt.Errorf("cancel conversations: %w", err)
	}
	return nil
}

// BindReturnee records consent and binds the returnee to their Telegram chat.
func BindReturnee(ctx context.Context, q Querier, id, telegramID, chatID int64, language string, now time.Time) error {
	_, err := q.ExecContext(ctx, `
		UPDATE returnees SET telegram_id = $2, chat_id = $3, language = $4, consent = 'accepted', consent_at = $5,
		    status = CASE WHEN status = 'deleted' THEN status ELSE 'active' END, updated_at = $5
		WHERE id = $1`, id, telegramID, chatID, language, now)
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" {
		return fmt.Errorf("bind returnee: this Telegram account is already enrolled: %w", ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("bind returnee: %w", err)
	}
	return nil
}

// RecordConsentDeclined notes a refusal for the case worker; nothing else
// about the person is kept.
func RecordConsentDeclined(ctx context.Context, q Querier, id int64, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE returnees SET consent = 'declined', consent_at = $2, updated_at = $2 WHERE id = $1`, id, now)
	if err != nil {
		return fmt.Errorf("record declined consent: %w", err)
	}
	return nil
}
