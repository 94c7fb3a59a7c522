package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lib/pq"
)

// ReturneeInput is what enrolment knows of a returnee: the columns of the
// import file, already validated (package enrol checks them). It holds a
// case reference and never a name.
type ReturneeInput struct {
	Ref              string
	Sex              string
	BirthDate        time.Time
	ReturnDate       time.Time
	HostCountry      string
	Region           string
	Programme        string
	Assistance       []string
	Sector           string
	Vulnerabilities  []string
	CaseworkerHandle string // empty leaves the returnee without a case worker
}

// returneeUpsertBatch bounds the rows sent in one statement, so a large import keeps
// a modest parameter size while still costing one round trip per batch.
const returneeUpsertBatch = 2000

// returneeJSON is one row as jsonb_to_recordset reads it.
type returneeJSON struct {
	Ref             string   `json:"ref"`
	Sex             string   `json:"sex"`
	BirthDate       string   `json:"birth_date"`
	ReturnDate      string   `json:"return_date"`
	HostCountry     string   `json:"host_country"`
	Region          string   `json:"region"`
	Programme       string   `json:"programme"`
	Assistance      []string `json:"assistance"`
	Sector          string   `json:"sector"`
	Vulnerabilities []string `json:"vulnerabilities"`
	Caseworker      string   `json:"caseworker"`
}

// sqlUpsertReturnees inserts or updates a batch given as a JSON array. Rows
// are written in ref order so concurrent imports lock rows in the same order.
// A returnee deleted at their own request is left alone: re-importing an old
// export must not bring their data back. xmax = 0 marks a freshly inserted row.
const sqlUpsertReturnees = `
WITH input AS (
    SELECT x.*, s.id AS caseworker_id
    FROM jsonb_to_recordset($1::jsonb) AS x(ref text, sex text, birth_date date, return_date date,
         host_country text, region text, programme text, assistance text[], sector text,
         vulnerabilities text[], caseworker text)
    LEFT JOIN staff s ON s.handle = x.caseworker
), upserted AS (
    INSERT INTO returnees (ref, sex, birth_date, return_date, host_country, region, programme,
                           assistance, sector, vulnerabilities, caseworker_id)
    SELECT ref, sex, birth_date, return_date, host_country, region, programme,
           COALESCE(assistance, '{}'), sector, COALESCE(vulnerabilities, '{}'), caseworker_id
    FROM input
    ORDER BY ref
    ON CONFLICT (ref) DO UPDATE SET
        sex = EXCLUDED.sex,
        birth_date = EXCLUDED.birth_date,
        return_date = EXCLUDED.return_date,
        host_country = EXCLUDED.host_country,
        region = EXCLUDED.region,
        programme = EXCLUDED.programme,
        assistance = EXCLUDED.assistance,
        sector = EXCLUDED.sector,
        vulnerabilities = EXCLUDED.vulnerabilities,
        caseworker_id = EXCLUDED.caseworker_id,
        updated_at = now()
    WHERE returnees.status <> 'deleted'
    RETURNING (xmax = 0) AS created
)
SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created)
FROM upserted`

const sqlUnknownHandles = `
SELECT h FROM unnest($1::text[]) AS h
WHERE NOT EXISTS (SELECT 1 FROM staff WHERE handle = h)
ORDER BY h`

// UpsertReturnees creates returnees by reference or updates the enrolment
// fields of those already known (never their consent, binding or status),
// in batches of one statement each. Run it inside a transaction for an
// all-or-nothing import. Rows of returnees deleted at their request are
// counted neither as created nor as updated: they are left as they are.
// Duplicate references or unknown case worker handles are ErrInvalid and
// nothing is written.
func UpsertReturnees(ctx context.Context, q Querier, rows []ReturneeInput) (created, updated int, err error) {
	batch, handles, err := returneeBatch(rows)
	if err != nil {
		return 0, 0, fmt.Errorf("upsert returnees: %w", err)
	}
	if err := checkHandles(ctx, q, handles); err != nil {
		return 0, 0, fmt.Errorf("upsert returnees: %w", err)
	}
	for start := 0; start < len(batch); start += returneeUpsertBatch {
		end := min(start+returneeUpsertBatch, len(batch))
		payload, err := json.Marshal(batch[start:end])
		if err != nil {
			return created, updated, fmt.Errorf("upsert returnees: %w", err)
		}
		var c, u int
		if err := q.QueryRowContext(ctx, sqlUpsertReturnees, string(payload)).Scan(&c, &u); err != nil {
			return created, updated, fmt.Errorf("upsert returnees: %w", constraintError(err))
		}
		created, updated = created+c, updated+u
	}
	return created, updated, nil
}

// returneeBatch turns inputs into JSON rows and collects the handles named.
func returneeBatch(rows []ReturneeInput) ([]returneeJSON, []string, error) {
	out := make([]returneeJSON, 0, len(rows))
	seen := make(map[string]bool, len(rows))
	handleSet := map[string]bool{}
	for _, r := range rows {
		if r.Ref == "" {
			return nil, nil, fmt.Errorf("a returnee without ref: %w", ErrInvalid)
		}
		if seen[r.Ref] {
			return nil, nil, fmt.Errorf("ref %q given twice: %w", r.Ref, ErrInvalid)
		}
		seen[r.Ref] = true
		if r.CaseworkerHandle != "" {
			handleSet[r.CaseworkerHandle] = true
		}
		out = append(out, returneeJSON{
			Ref: r.Ref, Sex: r.Sex,
			BirthDate: r.BirthDate.Format(time.DateOnly), ReturnDate: r.ReturnDate.Format(time.DateOnly),
			HostCountry: r.HostCountry, Region: r.Region, Programme: r.Programme,
			Assistance: nonNilStrings(r.Assistance), Sector: r.Sector, Vulnerabilities: nonNilStrings(r.Vulnerabilities),
			Caseworker: r.CaseworkerHandle,
		})
	}
	handles := make([]string, 0, len(handleSet))
	for h := range handleSet {
		handles = append(handles, h)
	}
	sort.Strings(handles)
	return out, handles, nil
}

// checkHandles fails with ErrInvalid naming every handle with no staff row.
func checkHandles(ctx context.Context, q Querier, handles []string) error {
	if len(handles) == 0 {
		return nil
	}
	rows, err := q.QueryContext(ctx, sqlUnknownHandles, pq.Array(handles))
	if err != nil {
		return fmt.Errorf("check case workers: %w", err)
	}
	defer rows.Close()
	var unknown []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return fmt.Errorf("check case workers: %w", err)
		}
		unknown = append(unknown, h)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("check case workers: %w", err)
	}
	if len(unknown) > 0 {
		return fmt.Errorf("no staff with handle %s: %w", strings.Join(unknown, ", "), ErrInvalid)
	}
	return nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// constraintError maps constraint violations to the domain error kinds.
func constraintError(err error) error {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) {
		return err
	}
	switch pqErr.Code.Class() {
	case "23": // integrity constraint violation
		if pqErr.Code == "23505" {
			return fmt.Errorf("%s: %w", pqErr.Message, ErrConflict)
		}
		return fmt.Errorf("%s: %w", pqErr.Message, ErrInvalid)
	case "22": // data exception, such as a malformed date
		return fmt.Errorf("%s: %w", pqErr.Message, ErrInvalid)
	}
	return err
}

// ReturneeListRow is one line of the returnee list: what a case worker needs
// to follow their caseload, and no name.
type ReturneeListRow struct {
	ID               int64
	Ref              string
	Sex              string    // empty once erased
	ReturnDate       time.Time // zero once erased
	CaseworkerHandle string
	Consent          string
	Status           string
	Bound            bool // a Telegram account is linked
}

const sqlListReturnees = `
SELECT r.id, r.ref, COALESCE(r.sex, ''), COALESCE(r.return_date, '0001-01-01'), COALESCE(s.handle, ''), r.consent, r.status,
       r.telegram_id IS NOT NULL
FROM returnees r
LEFT JOIN staff s ON s.id = r.caseworker_id
WHERE ($1 = '' OR s.handle = $1)
ORDER BY r.ref`

// ListReturnees lists returnees by reference, all of them or the caseload of
// one case worker. A returnee erased at their request is listed with the
// reference and status alone. An unknown handle is ErrNotFound rather than an empty list,
// so a typo is not mistaken for an empty caseload.
func ListReturnees(ctx context.Context, q Querier, caseworkerHandle string) ([]ReturneeListRow, error) {
	if caseworkerHandle != "" {
		if _, err := StaffByHandle(ctx, q, caseworkerHandle); err != nil {
			return nil, fmt.Errorf("list returnees: %w", err)
		}
	}
	rows, err := q.QueryContext(ctx, sqlListReturnees, caseworkerHandle)
	if err != nil {
		return nil, fmt.Errorf("list returnees: %w", err)
	}
	defer rows.Close()
	var out []ReturneeListRow
	for rows.Next() {
		var r ReturneeListRow
		if err := rows.Scan(&r.ID, &r.Ref, &r.Sex, &r.ReturnDate, &r.CaseworkerHandle, &r.Consent, &r.Status, &r.Bound); err != nil {
			return nil, fmt.Errorf("list returnees: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list returnees: %w", err)
	}
	return out, nil
}

// ReturneeRefs maps returnee ids to case references, for lists (alerts,
// reports) that show a reference instead of an id. Unknown ids are absent.
func ReturneeRefs(ctx context.Context, q Querier, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT id, ref FROM returnees WHERE id = ANY($1::bigint[])`, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("load returnee refs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var ref string
		if err := rows.Scan(&id, &ref); err != nil {
			return nil, fmt.Errorf("load returnee refs: %w", err)
		}
		out[id] = ref
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load returnee refs: %w", err)
	}
	return out, nil
}
