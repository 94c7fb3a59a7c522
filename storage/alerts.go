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

// Alert asks a human to look at a returnee. A returnee has at most one open
// (not resolved) alert per category; new evidence becomes an event of it.
// Its text is a key of the texts catalog and parameters, rendered in the
// reader's language (followup.RenderAlert); Message holds nothing since
// migration 0008 and stays for reading old exports.
type Alert struct {
	ID             int64
	ReturneeID     *int64
	ConversationID *int64
	RuleID         string
	Category       string
	Severity       string // urgent, high, medium, low
	TextKey        string
	Params         json.RawMessage // a JSON object
	Message        string
	QuestionIDs    []string
	AssignedTo     *int64 // staff id; the returnee's case worker when raised
	Status         string // open, acknowledged, resolved
	CreatedAt      time.Time
	AcknowledgedAt *time.Time
	ResolvedAt     *time.Time
}

const sqlInsertOpenAlert = `
INSERT INTO alerts (returnee_id, conversation_id, rule_id, category, severity, text_key, params, question_ids,
                    assigned_to, created_at)
SELECT r.id, $2, $3, $4, $5, $6, $7, $8, r.caseworker_id, $9
FROM returnees r
WHERE r.id = $1
ON CONFLICT (returnee_id, category) WHERE status <> 'resolved' DO NOTHING
RETURNING id`

// InsertOpenAlert stores a new open alert assigned to the returnee's case
// worker, unless the returnee already has an open alert of that category:
// then it reports inserted false (and id 0). Two transactions racing wait
// for each other on the unique index, so only one inserts.
func InsertOpenAlert(ctx context.Context, q Querier, a Alert, now time.Time) (id AlertID, inserted bool, err error) {
	if a.ReturneeID == nil {
		return 0, false, fmt.Errorf("insert alert: no returnee: %w", ErrInvalid)
	}
	if a.QuestionIDs == nil {
		a.QuestionIDs = []string{}
	}
	params := a.Params
	if len(params) == 0 {
		params = json.RawMessage(`{}`)
	}
	err = q.QueryRowContext(ctx, sqlInsertOpenAlert, *a.ReturneeID, a.ConversationID, a.RuleID, a.Category,
		a.Severity, a.TextKey, string(params), pq.Array(a.QuestionIDs), now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("insert alert: %w", err)
	}
	return id, true, nil
}

// LockOpenAlert returns the returnee's open alert of a category, locked
// until the transaction ends, or ErrNotFound.
func LockOpenAlert(ctx context.Context, tx *sql.Tx, returneeID ReturneeID, category string) (Alert, error) {
	a, err := scanAlert(tx.QueryRowContext(ctx, `SELECT `+alertColumns+` FROM alerts
		WHERE returnee_id = $1 AND category = $2 AND status <> 'resolved' FOR UPDATE`, int64(returneeID), category))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("lock open alert: %w", ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("lock open alert: %w", err)
	}
	return a, nil
}

// SetAlertSeverity changes an alert's severity (new evidence more pressing
// than the first).
func SetAlertSeverity(ctx context.Context, q Querier, id AlertID, severity string) error {
	if _, err := q.ExecContext(ctx, `UPDATE alerts SET severity = $2 WHERE id = $1`, int64(id), severity); err != nil {
		return fmt.Errorf("set alert severity: %w", err)
	}
	return nil
}

// AlertByID returns one alert.
func AlertByID(ctx context.Context, q Querier, id AlertID) (Alert, error) {
	a, err := scanAlert(q.QueryRowContext(ctx, `SELECT `+alertColumns+` FROM alerts WHERE id = $1`, int64(id)))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("load alert %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("load alert %d: %w", id, err)
	}
	return a, nil
}

const alertColumns = `id, returnee_id, conversation_id, rule_id, category, severity, text_key, params, message,
	question_ids, assigned_to, status, created_at, acknowledged_at, resolved_at`

func scanAlert(row interface{ Scan(...any) error }) (Alert, error) {
	var a Alert
	var params []byte
	err := row.Scan(&a.ID, &a.ReturneeID, &a.ConversationID, &a.RuleID, &a.Category, &a.Severity, &a.TextKey,
		&params, &a.Message, pq.Array(&a.QuestionIDs), &a.AssignedTo, &a.Status, &a.CreatedAt, &a.AcknowledgedAt,
		&a.ResolvedAt)
	a.Params = params
	return a, err
}

// AlertFilter narrows ListAlerts; zero values mean no filter.
type AlertFilter struct {
	ReturneeID int64
	Status     string
	Category   string
	Limit      int
}

const sqlListAlerts = `
SELECT ` + alertColumns + `
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
		a, err := scanAlert(rows)
		if err != nil {
			return nil, fmt.Errorf("list alerts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
