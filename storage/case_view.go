package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// CaseView is what a staff member sees of a case in Telegram (/case): the
// latest check-ins, scores, alerts, notes and messages relayed from the
// returnee, and when they last answered or wrote.
type CaseView struct {
	Checkins    []CaseCheckin
	Scores      []CaseScore
	Alerts      []Alert // open ones first, then the latest resolved
	Notes       []CaseNote
	Messages    []CaseMessage
	LastContact *time.Time
}

// CaseCheckin is one check-in of a case.
type CaseCheckin struct {
	FlowID   string
	Status   string
	DueDate  time.Time
	OpenedAt *time.Time
	ClosedAt *time.Time
}

// CaseScore is one score computed from a check-in.
type CaseScore struct {
	FlowID string
	Name   string
	Value  float64
	At     time.Time
}

// CaseMessage is a message the returnee wrote outside a check-in, relayed
// to the case worker as a message alert (its raising or its evidence).
type CaseMessage struct {
	At     time.Time
	Kind   string // text, voice, photo…
	Text   string // the text or a caption
	FileID string
}

// caseViewLimit bounds each list of a case view: it is read on a phone.
const caseViewLimit = 5

const sqlCaseCheckins = `
SELECT flow_id, status, due_date, opened_at, closed_at
FROM checkins
WHERE returnee_id = $1 AND status <> 'planned'
ORDER BY COALESCE(opened_at, open_at) DESC, id DESC
LIMIT $2`

const sqlCaseScores = `
SELECT flow_id, name, value, computed_at
FROM scores
WHERE returnee_id = $1
ORDER BY computed_at DESC, id DESC
LIMIT $2`

const sqlCaseAlerts = `
SELECT ` + alertColumns + `
FROM alerts
WHERE returnee_id = $1
ORDER BY status = 'resolved', created_at DESC, id DESC
LIMIT $2`

// sqlCaseMessages lists what the returnee wrote outside check-ins: the
// parameters of message alerts and of their evidence events.
const sqlCaseMessages = `
SELECT at, params FROM (
    SELECT a.created_at AS at, a.params, a.id AS alert_id, 0::bigint AS event_id
    FROM alerts a
    WHERE a.returnee_id = $1 AND a.category = 'message'
    UNION ALL
    SELECT e.at, COALESCE(e.data->'params', '{}'::jsonb), a.id, e.id
    FROM alert_events e
    JOIN alerts a ON a.id = e.alert_id
    WHERE a.returnee_id = $1 AND a.category = 'message' AND e.kind = 'evidence'
) m
ORDER BY at DESC, alert_id DESC, event_id DESC
LIMIT $2`

// sqlLastContact is when the returnee last answered a question or wrote.
const sqlLastContact = `
SELECT GREATEST(
    (SELECT max(answered_at) FROM answers WHERE returnee_id = $1),
    (SELECT max(created_at) FROM alerts WHERE returnee_id = $1 AND category = 'message'),
    (SELECT max(e.at) FROM alert_events e JOIN alerts a ON a.id = e.alert_id
     WHERE a.returnee_id = $1 AND a.category = 'message' AND e.kind = 'evidence'))`

// LoadCaseView reads a returnee's case for a staff member: whether they may
// see it is the caller's check.
func LoadCaseView(ctx context.Context, q Querier, returnee ReturneeID) (CaseView, error) {
	var v CaseView
	id := int64(returnee)
	rows, err := q.QueryContext(ctx, sqlCaseCheckins, id, caseViewLimit)
	if err != nil {
		return v, fmt.Errorf("load case check-ins: %w", err)
	}
	for rows.Next() {
		var c CaseCheckin
		if err := rows.Scan(&c.FlowID, &c.Status, &c.DueDate, &c.OpenedAt, &c.ClosedAt); err != nil {
			rows.Close()
			return v, fmt.Errorf("load case check-ins: %w", err)
		}
		v.Checkins = append(v.Checkins, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return v, fmt.Errorf("load case check-ins: %w", err)
	}

	if rows, err = q.QueryContext(ctx, sqlCaseScores, id, caseViewLimit); err != nil {
		return v, fmt.Errorf("load case scores: %w", err)
	}
	for rows.Next() {
		var s CaseScore
		if err := rows.Scan(&s.FlowID, &s.Name, &s.Value, &s.At); err != nil {
			rows.Close()
			return v, fmt.Errorf("load case scores: %w", err)
		}
		v.Scores = append(v.Scores, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return v, fmt.Errorf("load case scores: %w", err)
	}

	if rows, err = q.QueryContext(ctx, sqlCaseAlerts, id, caseViewLimit); err != nil {
		return v, fmt.Errorf("load case alerts: %w", err)
	}
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			rows.Close()
			return v, fmt.Errorf("load case alerts: %w", err)
		}
		v.Alerts = append(v.Alerts, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return v, fmt.Errorf("load case alerts: %w", err)
	}

	if rows, err = q.QueryContext(ctx, sqlCaseMessages, id, caseViewLimit); err != nil {
		return v, fmt.Errorf("load case messages: %w", err)
	}
	for rows.Next() {
		var m CaseMessage
		var raw []byte
		if err := rows.Scan(&m.At, &raw); err != nil {
			rows.Close()
			return v, fmt.Errorf("load case messages: %w", err)
		}
		var p struct {
			Kind   string `json:"kind"`
			Text   string `json:"text"`
			FileID string `json:"file_id"`
		}
		_ = json.Unmarshal(raw, &p) // a broken object shows as an empty message
		m.Kind, m.Text, m.FileID = p.Kind, p.Text, p.FileID
		v.Messages = append(v.Messages, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return v, fmt.Errorf("load case messages: %w", err)
	}

	if v.Notes, err = CaseNotes(ctx, q, returnee, caseViewLimit); err != nil {
		return v, err
	}
	if err := q.QueryRowContext(ctx, sqlLastContact, id).Scan(&v.LastContact); err != nil {
		return v, fmt.Errorf("load last contact: %w", err)
	}
	return v, nil
}
