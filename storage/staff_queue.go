package storage

import (
	"context"
	"fmt"
	"strings"
)

// QueuedAlert is an open alert in a staff member's queue, with its case
// reference.
type QueuedAlert struct {
	Alert
	Ref string
}

// sqlStaffOpenAlerts lists the open alerts of staff $1, oldest first: those
// assigned to them, for a supervisor also those of their team (assigned to
// one of their case workers, or on a case of one), for an administrator all.
var sqlStaffOpenAlerts = `
SELECT ` + prefixed("a.", alertColumns) + `, COALESCE(r.ref, '')
FROM alerts a
JOIN staff s ON s.id = $1
LEFT JOIN returnees r ON r.id = a.returnee_id
LEFT JOIN staff owner ON owner.id = a.assigned_to
LEFT JOIN staff cw ON cw.id = r.caseworker_id
WHERE a.status <> 'resolved'
  AND (s.role = 'admin'
       OR a.assigned_to = s.id
       OR (s.role = 'supervisor' AND (owner.supervisor_id = s.id OR cw.supervisor_id = s.id OR r.caseworker_id = s.id)))
ORDER BY a.created_at, a.id
LIMIT $2`

// StaffOpenAlerts returns the open alerts a staff member is to act on,
// oldest first, at most limit.
func StaffOpenAlerts(ctx context.Context, q Querier, staff StaffID, limit int) ([]QueuedAlert, error) {
	rows, err := q.QueryContext(ctx, sqlStaffOpenAlerts, int64(staff), limit)
	if err != nil {
		return nil, fmt.Errorf("list staff alerts: %w", err)
	}
	defer rows.Close()
	var out []QueuedAlert
	for rows.Next() {
		var qa QueuedAlert
		var ref string
		a, err := scanAlert(refScanner{rows, &ref})
		if err != nil {
			return nil, fmt.Errorf("list staff alerts: %w", err)
		}
		qa.Alert, qa.Ref = a, ref
		out = append(out, qa)
	}
	return out, rows.Err()
}

// AlertCount is how many open alerts there are of a category and severity.
type AlertCount struct {
	Category string
	Severity string
	Count    int
}

// OpenAlertCounts counts the open alerts by category and severity, for
// managers, who see aggregates and never a case.
func OpenAlertCounts(ctx context.Context, q Querier) ([]AlertCount, error) {
	rows, err := q.QueryContext(ctx, `SELECT category, severity, count(*) FROM alerts WHERE status <> 'resolved'
		GROUP BY category, severity ORDER BY category, severity`)
	if err != nil {
		return nil, fmt.Errorf("count open alerts: %w", err)
	}
	defer rows.Close()
	var out []AlertCount
	for rows.Next() {
		var c AlertCount
		if err := rows.Scan(&c.Category, &c.Severity, &c.Count); err != nil {
			return nil, fmt.Errorf("count open alerts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// refScanner scans an alert's columns followed by one more (the case
// reference).
type refScanner struct {
	rows interface{ Scan(...any) error }
	ref  *string
}

func (s refScanner) Scan(dest ...any) error { return s.rows.Scan(append(dest, s.ref)...) }

// prefixed qualifies each of a comma-separated list of columns with a
// table alias ("a." + "id, ref" gives "a.id, a.ref").
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}
