package followup

import (
	"context"
	"fmt"

	"suivi/storage"
)

// Who may see and act on what. A case worker works on their own caseload;
// a supervisor on their team's (their own and their case workers'); an
// administrator on every case; a manager sees aggregates only, never a case.
// An alert can also be acted on by whoever it was delivered, reassigned or
// escalated to (the on-call list, a stand-in).

// sqlCanSeeCase tells whether staff $1 may see returnee $2's case.
const sqlCanSeeCase = `
SELECT EXISTS (
    SELECT 1
    FROM staff s
    JOIN returnees r ON r.id = $2
    LEFT JOIN staff cw ON cw.id = r.caseworker_id
    WHERE s.id = $1
      AND (s.role = 'admin'
           OR r.caseworker_id = s.id
           OR (s.role = 'supervisor' AND cw.supervisor_id = s.id)))`

// CanSeeCase reports whether a staff member may see a returnee's case.
func CanSeeCase(ctx context.Context, q storage.Querier, staff storage.StaffID, returnee storage.ReturneeID) (bool, error) {
	var ok bool
	if err := q.QueryRowContext(ctx, sqlCanSeeCase, staff, returnee).Scan(&ok); err != nil {
		return false, fmt.Errorf("check case access: %w", err)
	}
	return ok, nil
}

// sqlCanActOnAlert tells whether staff $1 may act on alert $2: the case's
// people, the alert's current owner and their supervisor, and anyone it was
// delivered or escalated to.
const sqlCanActOnAlert = `
SELECT EXISTS (
    SELECT 1
    FROM alerts a
    JOIN staff s ON s.id = $1
    LEFT JOIN returnees r ON r.id = a.returnee_id
    LEFT JOIN staff cw ON cw.id = r.caseworker_id
    LEFT JOIN staff owner ON owner.id = a.assigned_to
    WHERE a.id = $2
      AND (s.role = 'admin'
           OR a.assigned_to = s.id
           OR owner.supervisor_id = s.id
           OR r.caseworker_id = s.id
           OR (s.role = 'supervisor' AND cw.supervisor_id = s.id)
           OR EXISTS (SELECT 1 FROM alert_events e
                      WHERE e.alert_id = a.id AND e.staff_id = s.id
                        AND e.kind IN ('delivered', 'escalated', 'reassigned'))))`

// CanActOnAlert reports whether a staff member may acknowledge, annotate,
// resolve or reassign an alert.
func CanActOnAlert(ctx context.Context, q storage.Querier, staff storage.StaffID, alert storage.AlertID) (bool, error) {
	var ok bool
	if err := q.QueryRowContext(ctx, sqlCanActOnAlert, staff, alert).Scan(&ok); err != nil {
		return false, fmt.Errorf("check alert access: %w", err)
	}
	return ok, nil
}
