package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// Alert asks a human to look at a returnee.
type Alert struct {
	ID             int64
	ReturneeID     *int64
	ConversationID *int64
	RuleID         string
	Category       string
	Severity       string // urgent, high, medium, low
	Message        string
	QuestionIDs    []string
	Status         string // open, acknowledged, resolved
	CreatedAt      time.Time
	AcknowledgedAt *time.Time
	ResolvedAt     *time.Time
}

// Alert categories raised outside flow definitions.
const (
	AlertLostContact     = "lost_contact"
	AlertUnreachable     = "unreachable"
	AlertHelpRequest     = "help_request"
	AlertOptOut          = "opt_out"
	AlertConsentDeclined = "consent_declined"
	AlertSafety          = "safety"
)

// CreateAlert stores a new open alert and returns its id.
func CreateAlert(ctx context.Context, q Querier, a Alert) (int64, error) {
	if a.QuestionIDs == nil {
		a.QuestionIDs = []string{}
	}
	var id int64
	err := q.QueryRowContext(ctx, `
		INSERT INTO alerts (returnee_id, conversation_id, rule_id, category, severity, message, question_ids)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		RETURNING id`,
		a.ReturneeID, a.ConversationID, a.RuleID, a.Category, a.Severity, a.Message, pq.Array(a.QuestionIDs)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create alert: %w", err)
	}
	return id, nil
}

// AlertFilter narrows ListAlerts; zero values mean no filter.
type AlertFilter struct {
	ReturneeID int64
	Status     string
	Category   string
	Limit      int
}

const sqlListAlerts = `
SELECT id, returnee_id, conversation_id, rule_id, category, severity, message, question_ids,
       status, created_at, acknowledged_at, resolved_at
FROM alerts
WHERE ($1 = 0 OR returnee_id = $1)
  AND ($2 = '' OR status = $2)
  AND ($3 = '' OR category = $3)
ORDER BY created_at DESC, id DESC
LIMIT $4`

// ListAlerts returns alerts, newest first.
func ListAlerts(ctx context.Context, q Querier, f AlertFilter) ([]Alert, error) {
	if f.Limit <= 0 {
		f.Limit = 1000
	}
	rows, err := q.QueryContext(ctx, sqlListAlerts, f.ReturneeID, f.Status, f.Category, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	defer rows.Close()
	var out []Alert
	for rows.Next() {
		var a Alert
		if err := rows.Scan(&a.ID, &a.ReturneeID, &a.ConversationID, &a.RuleID, &a.Category, &a.Severity, &a.Message,
			pq.Array(&a.QuestionIDs), &a.Status, &a.CreatedAt, &a.AcknowledgedAt, &a.ResolvedAt); err != nil {
			return nil, fmt.Errorf("list alerts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
