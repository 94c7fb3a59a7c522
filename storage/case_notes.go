package storage

import (
	"context"
	"fmt"
	"time"
)

// CaseNote is what a staff member wrote about a case.
type CaseNote struct {
	ID          int64
	ReturneeID  ReturneeID
	StaffHandle string // empty when the staff member is gone
	At          time.Time
	Text        string
}

// AddCaseNote stores a note on a returnee's case, at the caller's clock.
func AddCaseNote(ctx context.Context, q Querier, returnee ReturneeID, staff StaffID, text string, at time.Time) error {
	if _, err := q.ExecContext(ctx, `INSERT INTO case_notes (returnee_id, staff_id, at, text) VALUES ($1, $2, $3, $4)`,
		int64(returnee), int64(staff), at, text); err != nil {
		return fmt.Errorf("add case note: %w", err)
	}
	return nil
}

// sqlCaseNotes lists a returnee's latest notes, newest first.
const sqlCaseNotes = `
SELECT n.id, n.returnee_id, COALESCE(s.handle, ''), n.at, n.text
FROM case_notes n
LEFT JOIN staff s ON s.id = n.staff_id
WHERE n.returnee_id = $1
ORDER BY n.at DESC, n.id DESC
LIMIT $2`

// CaseNotes returns a returnee's latest notes, newest first, at most limit.
func CaseNotes(ctx context.Context, q Querier, returnee ReturneeID, limit int) ([]CaseNote, error) {
	rows, err := q.QueryContext(ctx, sqlCaseNotes, int64(returnee), limit)
	if err != nil {
		return nil, fmt.Errorf("load case notes: %w", err)
	}
	defer rows.Close()
	var out []CaseNote
	for rows.Next() {
		var n CaseNote
		if err := rows.Scan(&n.ID, &n.ReturneeID, &n.StaffHandle, &n.At, &n.Text); err != nil {
			return nil, fmt.Errorf("load case notes: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
