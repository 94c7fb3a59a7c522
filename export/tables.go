package export

import (
	"context"
	"database/sql"
	"fmt"

	"suivi/storage"
)

// Tables an export can hold.
var Tables = []string{"answers", "returnees", "alerts"}

// column kinds, how a value is scanned and written.
const (
	kindText = iota
	kindInt
	kindFloat
	kindTime
	kindDate
)

type column struct {
	name string
	kind int
}

// table is one export: its columns and the query giving them, with the
// scope as $1 and $2 and the window as $3 and $4.
type table struct {
	columns []column
	query   string
	dates   bool // the window applies to a date column rather than an instant
}

// Answers: one row per answer. The raw value is the stored JSON; the value
// is what it means (the option, the options separated by ";", the number,
// the date). Free text and media are personal: they are left out of rows
// that are not identified, like the case reference.
var answers = table{
	columns: []column{{"ref", kindText}, {"flow_id", kindText}, {"flow_version", kindInt}, {"question_id", kindText},
		{"kind", kindText}, {"raw_value", kindText}, {"value", kindText}, {"score", kindFloat},
		{"dimension", kindText}, {"indicator", kindText}, {"answered_at", kindTime}},
	query: `
SELECT CASE WHEN s.ident THEN r.ref END, a.flow_id, c.flow_version, a.question_id, a.value->>'kind',
       CASE WHEN s.ident OR a.value->>'kind' NOT IN ('text', 'media') THEN a.value::text END,
       CASE a.value->>'kind'
           WHEN 'option'  THEN a.value->>'option'
           WHEN 'options' THEN (SELECT string_agg(o, ';') FROM jsonb_array_elements_text(a.value->'options') o)
           WHEN 'number'  THEN COALESCE(a.value->>'number', '0')
           WHEN 'date'    THEN a.value->>'date'
           WHEN 'text'    THEN CASE WHEN s.ident THEN a.value->>'text' END
           WHEN 'media'   THEN a.value->>'media_kind'
       END,
       a.score, a.dimension, a.indicator, a.answered_at
FROM answers a
LEFT JOIN conversations c ON c.id = a.conversation_id
LEFT JOIN returnees r ON r.id = a.returnee_id
LEFT JOIN staff cw ON cw.id = r.caseworker_id
CROSS JOIN LATERAL (SELECT ` + sqlIdentified + `) s (ident)
WHERE ($1 <> 'own' OR r.caseworker_id = $2)
  AND ($3::timestamptz IS NULL OR a.answered_at >= $3)
  AND ($4::timestamptz IS NULL OR a.answered_at < $4)
ORDER BY a.id`,
}

// Returnees: one row per returnee not erased, by return date. Rows that are
// not identified keep the age at return and the month of return instead of
// the reference, the birth and return dates.
var returnees = table{
	columns: []column{{"ref", kindText}, {"sex", kindText}, {"birth_date", kindDate}, {"age_at_return", kindInt},
		{"return_date", kindDate}, {"return_month", kindText}, {"host_country", kindText}, {"region", kindText},
		{"programme", kindText}, {"assistance", kindText}, {"sector", kindText}, {"vulnerabilities", kindText},
		{"caseworker", kindText}, {"consent", kindText}, {"status", kindText}, {"language", kindText}},
	dates: true,
	query: `
SELECT CASE WHEN s.ident THEN r.ref END, r.sex, CASE WHEN s.ident THEN r.birth_date END,
       date_part('year', age(r.return_date, r.birth_date))::bigint,
       CASE WHEN s.ident THEN r.return_date END, to_char(r.return_date, 'YYYY-MM'),
       r.host_country, r.region, r.programme, array_to_string(r.assistance, ';'), r.sector,
       array_to_string(r.vulnerabilities, ';'), cw.handle, r.consent, r.status, r.language
FROM returnees r
LEFT JOIN staff cw ON cw.id = r.caseworker_id
CROSS JOIN LATERAL (SELECT ` + sqlIdentified + `) s (ident)
WHERE r.status <> 'deleted'
  AND ($1 <> 'own' OR r.caseworker_id = $2)
  AND ($3::date IS NULL OR r.return_date >= $3)
  AND ($4::date IS NULL OR r.return_date <= $4)
ORDER BY r.return_date, r.id`,
}

// Alerts: one row per alert, by creation; no message text. A case worker
// gets the alerts of their caseload and those assigned to them.
var alerts = table{
	columns: []column{{"alert_id", kindInt}, {"created_at", kindTime}, {"ref", kindText}, {"category", kindText},
		{"severity", kindText}, {"status", kindText}, {"rule_id", kindText}, {"assigned_to", kindText},
		{"acknowledged_at", kindTime}, {"minutes_to_acknowledge", kindInt}, {"resolved_at", kindTime}},
	query: `
SELECT a.id, a.created_at, CASE WHEN s.ident THEN r.ref END, a.category, a.severity, a.status, a.rule_id,
       owner.handle, a.acknowledged_at,
       round(extract(epoch FROM a.acknowledged_at - a.created_at) / 60)::bigint, a.resolved_at
FROM alerts a
LEFT JOIN returnees r ON r.id = a.returnee_id
LEFT JOIN staff cw ON cw.id = r.caseworker_id
LEFT JOIN staff owner ON owner.id = a.assigned_to
CROSS JOIN LATERAL (SELECT ` + sqlIdentified + `) s (ident)
WHERE ($1 <> 'own' OR r.caseworker_id = $2 OR a.assigned_to = $2)
  AND ($3::timestamptz IS NULL OR a.created_at >= $3)
  AND ($4::timestamptz IS NULL OR a.created_at < $4)
ORDER BY a.id`,
}

var tables = map[string]table{"answers": answers, "returnees": returnees, "alerts": alerts}

// Write runs the export of table name for scope within window into w, row
// by row as the database sends them, and returns how many rows it wrote.
// It does not close w.
func Write(ctx context.Context, q storage.Querier, name string, scope Scope, window Window, w Writer) (int, error) {
	t, ok := tables[name]
	if !ok {
		return 0, fmt.Errorf("export %q: expected answers, returnees or alerts: %w", name, storage.ErrInvalid)
	}
	var from, to any
	if t.dates {
		from, to = window.dates()
	} else {
		from, to = window.instants()
	}
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		names[i] = c.name
	}
	if err := w.Header(names); err != nil {
		return 0, fmt.Errorf("export %s: %w", name, err)
	}
	rows, err := q.QueryContext(ctx, t.query, scope.Mode, scope.StaffID, from, to)
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", name, err)
	}
	defer rows.Close()
	dest, cells := scanTargets(t.columns)
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return n, fmt.Errorf("export %s: %w", name, err)
		}
		fillCells(t.columns, dest, cells)
		if err := w.Row(cells); err != nil {
			return n, fmt.Errorf("export %s: write row: %w", name, err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("export %s: %w", name, err)
	}
	return n, nil
}

// scanTargets makes one scan destination per column, reused for every row.
func scanTargets(cols []column) ([]any, []any) {
	dest := make([]any, len(cols))
	for i, c := range cols {
		switch c.kind {
		case kindText:
			dest[i] = new(sql.NullString)
		case kindInt:
			dest[i] = new(sql.NullInt64)
		case kindFloat:
			dest[i] = new(sql.NullFloat64)
		case kindTime, kindDate:
			dest[i] = new(sql.NullTime)
		}
	}
	return dest, make([]any, len(cols))
}

// fillCells turns scanned values into cells: NULL is nil (an empty cell).
func fillCells(cols []column, dest, cells []any) {
	for i, c := range cols {
		cells[i] = nil
		switch d := dest[i].(type) {
		case *sql.NullString:
			if d.Valid {
				cells[i] = d.String
			}
		case *sql.NullInt64:
			if d.Valid {
				cells[i] = d.Int64
			}
		case *sql.NullFloat64:
			if d.Valid {
				cells[i] = d.Float64
			}
		case *sql.NullTime:
			if d.Valid && c.kind == kindDate {
				cells[i] = Date{d.Time}
			} else if d.Valid {
				cells[i] = d.Time
			}
		}
	}
}
