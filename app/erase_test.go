package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lib/pq"
)

// TestErasureLeavesNoLinkedTrace runs a returnee through what leaves traces
// (onboarding, a check-in that raises a safety alert, a staff member
// acknowledging it, planned check-ins, a move to a new phone), then /delete,
// and checks every table the schema has, found in information_schema, so a
// table added later is covered too.
func TestErasureLeavesNoLinkedTrace(t *testing.T) {
	w, r := conversational(t)
	const ref = "MA-E-1"
	const oldID, newID = 7311223340, 7311223347
	old := w.person(oldID, "fr")
	old.onboard(w.enrol(ref))
	var rid int64
	if err := w.DB.QueryRow(`SELECT id FROM returnees WHERE ref = $1`, ref).Scan(&rid); err != nil {
		t.Fatal(err)
	}
	w.startCheckin(r, ref, "wellbeing")
	for range 5 {
		old.answer(":0")
	}
	old.answer(":3")
	old.answer(":3")
	old.answer(":2") // a positive safety answer: an urgent alert
	old.settle()
	mustExec(t, w, `UPDATE alerts SET status = 'acknowledged', acknowledged_at = now(),
		acknowledged_by = (SELECT id FROM staff WHERE handle = 'cw.test')`)
	mustExec(t, w, `INSERT INTO checkins (returnee_id, flow_id, occurrence, month, due_date, due_at, open_at)
		VALUES ($1, 'satisfaction', 0, 3, '2026-09-01', '2026-09-01 10:00Z', '2026-09-01 10:00Z')`, rid)
	mustExec(t, w, `INSERT INTO checkin_plans (returnee_id, return_date, timezone, window_start, window_end)
		VALUES ($1, '2026-06-01', 'Africa/Casablanca', '09:00', '12:00') ON CONFLICT DO NOTHING`, rid)

	phone := w.person(newID, "fr")
	phone.u.SendCommand("start", w.invite(ref))
	phone.press(phone.expect("déplacer"), ":move:y")
	phone.settle()
	phone.seen = len(w.Fake.Messages(phone.u.ID()))

	if n := w.count(`SELECT count(*) FROM alerts WHERE returnee_id = $1 AND params ? 'answers' AND cardinality(question_ids) > 0
		AND assigned_to IS NOT NULL`, rid); n == 0 {
		t.Fatalf("%d alerts with answers, questions and an owner before erasure: the test would prove nothing", n)
	}
	tables := schemaColumns(t, w)
	links := returneeLinks(t, w)
	personTimes := map[int64]bool{}
	collect := func(table, where string, args ...any) {
		for _, c := range tables[table] {
			if c.timestamp {
				for _, s := range w.epochs(fmt.Sprintf(`SELECT extract(epoch FROM date_trunc('second', %s))::bigint FROM %s WHERE %s AND %[1]s IS NOT NULL`,
					pq.QuoteIdentifier(c.name), pq.QuoteIdentifier(table), where), args...) {
					personTimes[s] = true
				}
			}
		}
	}
	collect("returnees", "id = $1", rid)
	collect("outbox", "chat_id IN ($1, $2)", oldID, newID)
	for table, cols := range links {
		for _, col := range cols {
			collect(table, pq.QuoteIdentifier(col)+" = $1", rid)
		}
	}

	phone.u.SendCommand("delete", "")
	phone.answer(":y")
	phone.settle()
	if n := w.count(`SELECT count(*) FROM returnees WHERE id = $1 AND status = 'deleted'`, rid); n != 1 {
		t.Fatal("the returnee was not erased")
	}
	collect("audit_log", "subject = $1", ref)

	idPattern := fmt.Sprintf(`(^|[^0-9])(%d|%d)([^0-9]|$)`, oldID, newID)
	refAllowed := map[string]bool{"returnees.ref": true, "audit_log.subject": true}
	for table, cols := range tables {
		for _, c := range cols {
			col, tbl := pq.QuoteIdentifier(c.name), pq.QuoteIdentifier(table)
			var where string
			var args []any
			switch {
			case c.integer:
				where, args = col+"::bigint IN ($1, $2)", []any{oldID, newID}
			case c.textual:
				where, args = col+"::text ~ $1", []any{idPattern}
			default:
				continue
			}
			if n := w.count(`SELECT count(*) FROM `+tbl+` WHERE `+where, args...); n != 0 {
				t.Errorf("%s.%s: %d rows still hold the person's Telegram id or chat id", table, c.name, n)
			}
			if c.textual && !refAllowed[table+"."+c.name] {
				if n := w.count(`SELECT count(*) FROM `+tbl+` WHERE `+col+`::text LIKE $1`, "%"+ref+"%"); n != 0 {
					t.Errorf("%s.%s: %d rows name the case reference", table, c.name, n)
				}
			}
		}
	}
	for table, cols := range links {
		for _, col := range cols {
			if n := w.count(fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s = $1`, pq.QuoteIdentifier(table), pq.QuoteIdentifier(col)), rid); n != 0 {
				t.Errorf("%s.%s: %d rows still link to the erased returnee", table, col, n)
			}
			// Rows kept without a person (anonymous answers, scores,
			// alerts) share no timestamp with the person's events.
			for _, c := range tables[table] {
				if !c.timestamp {
					continue
				}
				for _, s := range w.epochs(fmt.Sprintf(`SELECT extract(epoch FROM date_trunc('second', %s))::bigint FROM %s WHERE %s IS NULL AND %[1]s IS NOT NULL`,
					pq.QuoteIdentifier(c.name), pq.QuoteIdentifier(table), pq.QuoteIdentifier(col))) {
					if personTimes[s] {
						t.Errorf("%s.%s: an anonymous row keeps a timestamp of the person's events to the second", table, c.name)
					}
				}
			}
		}
	}
	var tomb struct{ consentAt, tz, lang string }
	w.DB.QueryRow(`SELECT COALESCE(consent_at::text, ''), timezone, language FROM returnees WHERE id = $1`, rid).Scan(&tomb.consentAt, &tomb.tz, &tomb.lang)
	if tomb.consentAt != "" || tomb.tz != "" || tomb.lang != "fr" {
		t.Errorf("the tombstone keeps consent time %q, time zone %q, language %q", tomb.consentAt, tomb.tz, tomb.lang)
	}
	// The aggregates keep what they need.
	if n := w.count(`SELECT count(*) FROM answers WHERE returnee_id IS NULL AND flow_id = 'wellbeing'`); n != 8 {
		t.Errorf("%d anonymous wellbeing answers kept, want 8", n)
	}
	if n := w.count(`SELECT count(*) FROM alerts WHERE returnee_id IS NULL AND category = 'safety' AND rule_id <> '' AND message = ''
		AND NOT params ? 'answers' AND assigned_to IS NULL
		AND cardinality(question_ids) = 0 AND acknowledged_by IS NULL AND status = 'resolved'`); n != 1 {
		t.Errorf("%d anonymous safety alerts with category and rule only, want 1", n)
	}
	if n := w.count(`SELECT count(*) FROM alert_events WHERE data <> '{}' OR staff_id IS NOT NULL OR at <> date_trunc('day', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`); n != 0 {
		t.Errorf("%d alert events keep details or times of the erased person", n)
	}
	for _, q := range []string{`SELECT count(*) FROM checkins`, `SELECT count(*) FROM checkin_plans`, `SELECT count(*) FROM conversations`, `SELECT count(*) FROM invitations`} {
		if n := w.count(q); n != 0 {
			t.Errorf("%s = %d after erasure", q, n)
		}
	}
}

func mustExec(t *testing.T, w *world, query string, args ...any) {
	t.Helper()
	if _, err := w.DB.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// column is one column of a table and what kind of value it holds.
type column struct {
	name                        string
	integer, textual, timestamp bool
}

// schemaColumns lists every column of every table of the schema.
func schemaColumns(t *testing.T, w *world) map[string][]column {
	t.Helper()
	rows, err := w.DB.Query(`
		SELECT c.table_name, c.column_name, c.data_type
		FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]column{}
	for rows.Next() {
		var table, name, typ string
		if err := rows.Scan(&table, &name, &typ); err != nil {
			t.Fatal(err)
		}
		out[table] = append(out[table], column{name: name,
			integer:   typ == "bigint" || typ == "integer" || typ == "smallint" || typ == "numeric",
			textual:   typ == "text" || typ == "character varying" || typ == "jsonb" || typ == "json" || typ == "ARRAY" || typ == "bytea",
			timestamp: strings.HasPrefix(typ, "timestamp"),
		})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 10 {
		t.Fatalf("found %d tables; the schema query is wrong", len(out))
	}
	return out
}

// returneeLinks lists, per table, the columns that point at a returnee: a
// foreign key to returnees, or a column named returnee_id.
func returneeLinks(t *testing.T, w *world) map[string][]string {
	t.Helper()
	rows, err := w.DB.Query(`
		SELECT kcu.table_name, kcu.column_name
		FROM information_schema.table_constraints tc
		JOIN information_schema.key_column_usage kcu
		  ON kcu.constraint_schema = tc.constraint_schema AND kcu.constraint_name = tc.constraint_name
		JOIN information_schema.constraint_column_usage ccu
		  ON ccu.constraint_schema = tc.constraint_schema AND ccu.constraint_name = tc.constraint_name
		WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema() AND ccu.table_name = 'returnees'
		UNION
		SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND column_name = 'returnee_id'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		out[table] = append(out[table], col)
	}
	if len(out) < 5 {
		t.Fatalf("found %d tables linked to returnees; the query is wrong", len(out))
	}
	return out
}

// epochs runs a query of one bigint column.
func (w *world) epochs(query string, args ...any) []int64 {
	w.t.Helper()
	rows, err := w.DB.Query(query, args...)
	if err != nil {
		w.t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			w.t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}
