package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// exportCLI has the fixture's returnees, a supervisor of cw.salma, a
// manager, and for every returnee a check-in of flow wellbeing version 3
// answered 30 days after their return: a scored option and a free text.
func exportCLI(t *testing.T) *cli {
	t.Helper()
	c := newCLI(t)
	c.must(t, "staff", "add", "--handle", "sup.nadia", "--name", "Nadia", "--role", "supervisor")
	c.must(t, "staff", "add", "--handle", "mgr.karim", "--name", "Karim", "--role", "manager")
	c.must(t, "staff", "add", "--handle", "cw.salma", "--name", "Salma", "--role", "caseworker", "--supervisor", "sup.nadia")
	c.must(t, "staff", "add", "--handle", "cw.youssef", "--name", "Youssef", "--role", "caseworker")
	c.must(t, "staff", "add", "--handle", "cw.amina", "--name", "Amina", "--role", "caseworker")
	c.must(t, "returnees", "import", fixtureCSV)
	_, err := c.db.Exec(`
		WITH conv AS (
		    INSERT INTO conversations (returnee_id, flow_id, flow_version, status)
		    SELECT id, 'wellbeing', 3, 'completed' FROM returnees RETURNING id, returnee_id)
		INSERT INTO answers (conversation_id, returnee_id, flow_id, question_id, value, score, dimension, indicator, answered_at)
		SELECT conv.id, conv.returnee_id, 'wellbeing', q.id, q.value::jsonb, q.score, 'psychosocial', q.indicator,
		       r.return_date + interval '30 days 12 hours'
		FROM conv JOIN returnees r ON r.id = conv.returnee_id
		CROSS JOIN (VALUES ('who5_1', '{"kind":"option","option":"often"}', 0.6::float8, 'who5'),
		                   ('note', '{"kind":"text","text":"private words"}', NULL, '')) q (id, value, score, indicator)`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.db.Exec(`INSERT INTO alerts (returnee_id, category, severity, status, created_at, acknowledged_at, assigned_to)
		SELECT id, 'safety', 'urgent', 'acknowledged', '2018-05-02 09:00+00', '2018-05-02 09:42+00', caseworker_id
		FROM returnees WHERE ref IN ('MA-2018-0001', 'MA-2018-0002')`)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func readExportCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "\ufeff") {
		t.Fatal("no byte order mark: spreadsheets would misread accents")
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, col := range records[0] {
			row[col] = rec[i]
		}
		out = append(out, row)
	}
	return out
}

func TestExportAnswersByRole(t *testing.T) {
	c := exportCLI(t)
	dir := t.TempDir()
	salma := c.count(t, `SELECT count(*) FROM returnees r JOIN staff s ON s.id = r.caseworker_id WHERE s.handle = 'cw.salma'`)
	cases := []struct {
		as               string
		rows, identified int
	}{
		{"", 166, 166},
		{"mgr.karim", 166, 0},
		{"sup.nadia", 166, 2 * salma},
		{"cw.salma", 2 * salma, 2 * salma},
	}
	for _, tc := range cases {
		path := filepath.Join(dir, "answers-"+tc.as+".csv")
		args := []string{"export", "answers", "--out", path}
		if tc.as != "" {
			args = append(args, "--as", tc.as)
		}
		out := c.must(t, args...)
		if !strings.HasPrefix(out, countNoun(tc.rows, "answer")+" written") {
			t.Errorf("as %q printed %q", tc.as, out)
		}
		rows := readExportCSV(t, path)
		identified, texts := 0, 0
		for _, r := range rows {
			if r["flow_id"] != "wellbeing" || r["flow_version"] != "3" {
				t.Fatalf("as %q: row %v lacks the flow and its version", tc.as, r)
			}
			if r["ref"] != "" {
				identified++
			}
			if r["value"] == "private words" || strings.Contains(r["raw_value"], "private words") {
				texts++
				if r["ref"] == "" {
					t.Fatalf("as %q: free text in a row that is not identified: %v", tc.as, r)
				}
			}
			if r["question_id"] == "who5_1" && (r["value"] != "often" || r["score"] != "0.6" || r["indicator"] != "who5" ||
				r["raw_value"] != `{"kind": "option", "option": "often"}`) {
				t.Fatalf("as %q: option row %v", tc.as, r)
			}
		}
		if len(rows) != tc.rows || identified != tc.identified || texts != tc.identified/2 {
			t.Errorf("as %q: %d rows, %d identified, %d free texts; want %d, %d, %d", tc.as, len(rows), identified, texts,
				tc.rows, tc.identified, tc.identified/2)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("as %q: file mode %v, %v; want 0600", tc.as, fi.Mode(), err)
		}
	}
	if n := c.count(t, `SELECT count(*) FROM audit_log WHERE action = 'export.answers' AND actor = 'cli:tester'
		AND at = '2018-07-15 10:00:00+00'`); n != len(cases) {
		t.Fatalf("%d audit rows, want %d", n, len(cases))
	}
	if n := c.count(t, `SELECT count(*) FROM audit_log WHERE action = 'export.answers' AND subject = 'mgr.karim'
		AND detail->>'scope' = 'none' AND (detail->>'rows')::int = 166`); n != 1 {
		t.Fatal("the manager's export is not in the audit log with its scope and size")
	}
}

func TestExportWindowAndXLSX(t *testing.T) {
	c := exportCLI(t)
	path := filepath.Join(t.TempDir(), "answers.xlsx")
	// Answered 30 days after a return in 2018-04-01..2018-06-30 (35 returnees),
	// that is 2018-05-01..2018-07-30; the window takes May only.
	want := c.count(t, `SELECT count(*) * 2 FROM returnees WHERE return_date + 30 BETWEEN '2018-05-01' AND '2018-05-31'`)
	c.must(t, "export", "answers", "--from", "2018-05-01", "--to", "2018-05-31", "--out", path)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("answers")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows)-1 != want || want == 0 {
		t.Fatalf("%d rows in the sheet, want %d", len(rows)-1, want)
	}
	if rows[0][0] != "ref" || rows[0][10] != "answered_at" {
		t.Fatalf("header %v", rows[0])
	}
	for _, r := range rows[1:] {
		if !strings.HasPrefix(r[10], "2018-05-") {
			t.Fatalf("answered_at %q outside the window", r[10])
		}
	}
}

func TestExportReturneesAndAlerts(t *testing.T) {
	c := exportCLI(t)
	dir := t.TempDir()
	c.must(t, "export", "returnees", "--as", "mgr.karim", "--from", "2018-04-01", "--to", "2018-06-30", "--out", filepath.Join(dir, "r.csv"))
	rows := readExportCSV(t, filepath.Join(dir, "r.csv"))
	women := 0
	for _, r := range rows {
		if r["ref"] != "" || r["birth_date"] != "" || r["return_date"] != "" || r["age_at_return"] == "" || r["return_month"] < "2018-04" {
			t.Fatalf("manager's returnee row %v", r)
		}
		if r["sex"] == "F" {
			women++
		}
	}
	if len(rows) != 35 || women != 5 {
		t.Fatalf("%d returnees, %d women; want the factsheet's 35 and 5", len(rows), women)
	}
	c.must(t, "export", "returnees", "--as", "cw.youssef", "--out", filepath.Join(dir, "y.csv"))
	own := c.count(t, `SELECT count(*) FROM returnees r JOIN staff s ON s.id = r.caseworker_id WHERE s.handle = 'cw.youssef'`)
	if rows := readExportCSV(t, filepath.Join(dir, "y.csv")); len(rows) != own || rows[0]["ref"] == "" || rows[0]["birth_date"] == "" {
		t.Fatalf("case worker's export: %d rows, want their %d identified", len(rows), own)
	}
	c.must(t, "export", "alerts", "--out", filepath.Join(dir, "a.csv"))
	alerts := readExportCSV(t, filepath.Join(dir, "a.csv"))
	if len(alerts) != 2 || alerts[0]["ref"] != "MA-2018-0001" || alerts[0]["minutes_to_acknowledge"] != "42" ||
		alerts[0]["created_at"] != "2018-05-02 10:00:00" /* Casablanca, UTC+1 */ || alerts[0]["severity"] != "urgent" {
		t.Fatalf("alerts %v", alerts)
	}
}

func TestExportUsage(t *testing.T) {
	c := newCLI(t)
	out := filepath.Join(t.TempDir(), "x.csv")
	for _, args := range [][]string{
		{"export"}, {"export", "people", "--out", out}, {"export", "answers"},
		{"export", "answers", "--out", filepath.Join(t.TempDir(), "x.pdf")},
		{"export", "answers", "--out", out, "--from", "01/04/2018"},
		{"export", "answers", "--out", out, "--from", "2018-06-01", "--to", "2018-05-01"},
	} {
		if _, err := c.run(args...); exitCode(err) != 2 {
			t.Errorf("%v: err %v, want a usage error", args, err)
		}
	}
	if _, err := c.run("export", "answers", "--out", out, "--as", "nobody"); err == nil || !strings.Contains(err.Error(), `no staff with handle "nobody"`) {
		t.Fatalf("unknown --as: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("a refused export left a file")
	}
}
