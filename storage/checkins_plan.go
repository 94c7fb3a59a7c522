package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// PlanReturnee is what the planner needs to know of a consented returnee.
type PlanReturnee struct {
	ID          int64
	ReturnDate  time.Time // at midnight UTC
	Timezone    string
	WindowStart string // HH:MM
	WindowEnd   string // HH:MM
	Changed     bool   // planned before with another return date, zone or window

	// Registry attributes a campaign's eligibility may require.
	Assistance, Vulnerabilities                 []string
	Sector, Programme, Sex, HostCountry, Region string
}

// Attribute returns the values of a registry attribute by its name in flow
// definitions (assistance, vulnerabilities, sector, programme, sex,
// host_country, region); ok is false for an unknown name.
func (r PlanReturnee) Attribute(name string) (values []string, ok bool) {
	switch name {
	case "assistance":
		return r.Assistance, true
	case "vulnerabilities":
		return r.Vulnerabilities, true
	case "sector":
		return []string{r.Sector}, true
	case "programme":
		return []string{r.Programme}, true
	case "sex":
		return []string{r.Sex}, true
	case "host_country":
		return []string{r.HostCountry}, true
	case "region":
		return []string{r.Region}, true
	}
	return nil, false
}

// planAttributeColumns are the registry attributes read with each returnee.
const planAttributeColumns = `r.assistance, r.vulnerabilities, r.sector, r.programme, COALESCE(r.sex, ''), r.host_country, r.region`

// DateRange is an inclusive range of dates.
type DateRange struct{ From, To time.Time }

const sqlUnplannedReturnees = `
SELECT r.id, r.return_date, r.timezone, to_char(r.window_start, 'HH24:MI'), to_char(r.window_end, 'HH24:MI'),
       p.returnee_id IS NOT NULL, ` + planAttributeColumns + `
FROM returnees r
LEFT JOIN checkin_plans p ON p.returnee_id = r.id
WHERE r.consent = 'accepted'
  AND r.status <> 'deleted'
  AND r.return_date IS NOT NULL
  AND (p.returnee_id IS NULL
       OR p.return_date <> r.return_date
       OR p.timezone <> r.timezone
       OR p.window_start <> r.window_start
       OR p.window_end <> r.window_end)`

// EachUnplannedReturnee streams the consented returnees the planner has not
// seen yet, or saw with another return date, time zone or window, to fn. The
// rows are read as they come, so memory stays bounded whatever their number;
// fn may write through another connection.
func EachUnplannedReturnee(ctx context.Context, q Querier, fn func(PlanReturnee) error) error {
	return eachPlanReturnee(ctx, q, "unplanned returnees", sqlUnplannedReturnees, nil, fn)
}

const sqlPlannedReturneesIn = `
SELECT r.id, r.return_date, r.timezone, to_char(r.window_start, 'HH24:MI'), to_char(r.window_end, 'HH24:MI'),
       false, ` + planAttributeColumns + `
FROM returnees r
JOIN checkin_plans p ON p.returnee_id = r.id
WHERE EXISTS (SELECT 1 FROM unnest($1::date[], $2::date[]) AS w (lo, hi)
              WHERE r.return_date BETWEEN w.lo AND w.hi)`

// EachPlannedReturneeIn streams the returnees known to the planner whose
// return date lies in one of ranges, to fn. Being known is the only
// condition: a returnee who withdrew meanwhile gets rows that are never
// opened and are cancelled with their plan, so no day is ever left out.
func EachPlannedReturneeIn(ctx context.Context, q Querier, ranges []DateRange, fn func(PlanReturnee) error) error {
	if len(ranges) == 0 {
		return nil
	}
	lo := make([]string, len(ranges))
	hi := make([]string, len(ranges))
	for i, r := range ranges {
		lo[i], hi[i] = r.From.Format(time.DateOnly), r.To.Format(time.DateOnly)
	}
	return eachPlanReturnee(ctx, q, "planned returnees", sqlPlannedReturneesIn, []any{pq.Array(lo), pq.Array(hi)}, fn)
}

func eachPlanReturnee(ctx context.Context, q Querier, what, query string, args []any, fn func(PlanReturnee) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("load %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r PlanReturnee
		if err := rows.Scan(&r.ID, &r.ReturnDate, &r.Timezone, &r.WindowStart, &r.WindowEnd, &r.Changed,
			pq.Array(&r.Assistance), pq.Array(&r.Vulnerabilities), &r.Sector, &r.Programme, &r.Sex, &r.HostCountry, &r.Region); err != nil {
			return fmt.Errorf("load %s: %w", what, err)
		}
		r.ReturnDate = time.Date(r.ReturnDate.Year(), r.ReturnDate.Month(), r.ReturnDate.Day(), 0, 0, 0, 0, time.UTC)
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load %s: %w", what, err)
	}
	return nil
}

// NewCheckin is a check-in row the planner creates.
type NewCheckin struct {
	ReturneeID int64
	FlowID     string
	Occurrence int
	Month      int
	DueDate    time.Time
	DueAt      time.Time
	OpenAt     time.Time
	Status     string // planned, or skipped when already past the horizon
}

const sqlInsertCheckins = `
INSERT INTO checkins (returnee_id, flow_id, occurrence, month, due_date, due_at, open_at, status, closed_at)
SELECT t.returnee_id, t.flow_id, t.occurrence, t.month, t.due_date, t.due_at, t.open_at, t.status,
       CASE WHEN t.status = 'skipped' THEN $9::timestamptz END
FROM unnest($1::bigint[], $2::text[], $3::int[], $4::int[], $5::date[], $6::timestamptz[], $7::timestamptz[], $8::text[])
     AS t (returnee_id, flow_id, occurrence, month, due_date, due_at, open_at, status)
ON CONFLICT (returnee_id, flow_id, month) DO NOTHING`

// InsertCheckins creates the check-ins that do not exist yet, in one
// statement, and reports how many it created. Existing occurrences are left
// as they are, so planning twice never doubles one.
func InsertCheckins(ctx context.Context, q Querier, cs []NewCheckin, now time.Time) (int64, error) {
	if len(cs) == 0 {
		return 0, nil
	}
	n := len(cs)
	ret, occ, month := make([]int64, n), make([]int64, n), make([]int64, n)
	flow, due, dueAt, openAt, status := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, c := range cs {
		ret[i], flow[i], occ[i], month[i] = c.ReturneeID, c.FlowID, int64(c.Occurrence), int64(c.Month)
		due[i] = c.DueDate.Format(time.DateOnly)
		dueAt[i] = c.DueAt.UTC().Format(time.RFC3339Nano)
		openAt[i] = c.OpenAt.UTC().Format(time.RFC3339Nano)
		status[i] = c.Status
	}
	res, err := q.ExecContext(ctx, sqlInsertCheckins, pq.Array(ret), pq.Array(flow), pq.Array(occ), pq.Array(month),
		pq.Array(due), pq.Array(dueAt), pq.Array(openAt), pq.Array(status), now)
	if err != nil {
		return 0, fmt.Errorf("insert checkins: %w", err)
	}
	return res.RowsAffected()
}

const sqlRecordCheckinPlans = `
INSERT INTO checkin_plans (returnee_id, return_date, timezone, window_start, window_end, planned_at)
SELECT t.returnee_id, t.return_date, t.timezone, t.window_start, t.window_end, $6
FROM unnest($1::bigint[], $2::date[], $3::text[], $4::time[], $5::time[])
     AS t (returnee_id, return_date, timezone, window_start, window_end)
ON CONFLICT (returnee_id) DO UPDATE
SET return_date = EXCLUDED.return_date,
    timezone = EXCLUDED.timezone,
    window_start = EXCLUDED.window_start,
    window_end = EXCLUDED.window_end,
    planned_at = EXCLUDED.planned_at`

// RecordCheckinPlans remembers the inputs each returnee was planned with.
func RecordCheckinPlans(ctx context.Context, q Querier, rs []PlanReturnee, now time.Time) error {
	if len(rs) == 0 {
		return nil
	}
	n := len(rs)
	ids := make([]int64, n)
	dates, zones, starts, ends := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, r := range rs {
		ids[i], zones[i], starts[i], ends[i] = r.ID, r.Timezone, r.WindowStart, r.WindowEnd
		dates[i] = r.ReturnDate.Format(time.DateOnly)
	}
	if _, err := q.ExecContext(ctx, sqlRecordCheckinPlans, pq.Array(ids), pq.Array(dates), pq.Array(zones),
		pq.Array(starts), pq.Array(ends), now); err != nil {
		return fmt.Errorf("record checkin plans: %w", err)
	}
	return nil
}

// DeletePlannedCheckins removes the not yet opened check-ins of returnees
// about to be planned again with new inputs.
func DeletePlannedCheckins(ctx context.Context, q Querier, returneeIDs []int64) error {
	if len(returneeIDs) == 0 {
		return nil
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM checkins WHERE status = 'planned' AND returnee_id = ANY($1)`,
		pq.Array(returneeIDs)); err != nil {
		return fmt.Errorf("delete planned checkins: %w", err)
	}
	return nil
}

const sqlCancelWithdrawnCheckins = `
UPDATE checkins c
SET status = 'cancelled', closed_at = $1, updated_at = $1
FROM returnees r
WHERE r.id = c.returnee_id
  AND c.status = 'planned'
  AND (r.consent <> 'accepted' OR r.status = 'deleted' OR r.return_date IS NULL)`

const sqlForgetWithdrawnPlans = `
DELETE FROM checkin_plans p
USING returnees r
WHERE r.id = p.returnee_id
  AND (r.consent <> 'accepted' OR r.status = 'deleted' OR r.return_date IS NULL)`

const sqlCancelUnknownFlowCheckins = `
UPDATE checkins
SET status = 'cancelled', closed_at = $1, updated_at = $1
WHERE status = 'planned'
  AND flow_id <> ALL ($2::text[])`

// CancelWithdrawnCheckins cancels the planned check-ins of returnees who were
// deleted or no longer consent, and of flows no campaign uses any more, and
// forgets those returnees' plans so that consent given again plans them
// afresh. It reports how many check-ins it cancelled.
func CancelWithdrawnCheckins(ctx context.Context, q Querier, flowIDs []string, now time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, sqlCancelWithdrawnCheckins, now)
	if err != nil {
		return 0, fmt.Errorf("cancel withdrawn checkins: %w", err)
	}
	n, _ := res.RowsAffected()
	if _, err := q.ExecContext(ctx, sqlForgetWithdrawnPlans); err != nil {
		return n, fmt.Errorf("forget withdrawn plans: %w", err)
	}
	res, err = q.ExecContext(ctx, sqlCancelUnknownFlowCheckins, now, pq.Array(flowIDs))
	if err != nil {
		return n, fmt.Errorf("cancel checkins of removed campaigns: %w", err)
	}
	m, _ := res.RowsAffected()
	return n + m, nil
}

// SkipStaleCheckins records as skipped the planned check-ins first planned
// before dueBefore (the catch-up horizon) that are still waiting since
// before waitingBefore (a pause, a safety hold, a busy or unreachable
// returnee). One moved to a coming window keeps its chance.
func SkipStaleCheckins(ctx context.Context, q Querier, dueBefore, waitingBefore, now time.Time) (int64, error) {
	res, err := q.ExecContext(ctx, `
		UPDATE checkins SET status = 'skipped', closed_at = $3, updated_at = $3
		WHERE status = 'planned' AND due_at < $1 AND open_at < $2`, dueBefore, waitingBefore, now)
	if err != nil {
		return 0, fmt.Errorf("skip stale checkins: %w", err)
	}
	return res.RowsAffected()
}
