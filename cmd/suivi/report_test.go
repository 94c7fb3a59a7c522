package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ledongthuc/pdf"
	"github.com/lib/pq"
	"github.com/xuri/excelize/v2"

	"suivi/storage"
)

// factsheetJSON runs `suivi report factsheet` for 2018 Q2 in JSON and decodes it.
func (c *cli) factsheetJSON(t *testing.T, extra ...string) map[string]any {
	t.Helper()
	out := filepath.Join(t.TempDir(), "q2.json")
	args := append([]string{"report", "factsheet", "--from", "2018-04-01", "--to", "2018-06-30", "--format", "json", "--out", out}, extra...)
	c.must(t, args...)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("factsheet JSON: %v\n%s", err, data)
	}
	return m
}

// at follows a dotted path through decoded JSON.
func at(t *testing.T, m map[string]any, path string) any {
	t.Helper()
	var v any = m
	for _, k := range strings.Split(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s: %q is not an object in %v", path, k, v)
		}
		if v, ok = obj[k]; !ok {
			t.Fatalf("%s: no key %q", path, k)
		}
	}
	return v
}

// referenceFigures are every figure of ../shared/reference/factsheet-2018-q2.txt.
var referenceFigures = map[string]float64{
	"year_to_date.assisted": 83, "year_to_date.female": 12, "year_to_date.male": 71,
	"year_to_date.medical_assistance": 4, "year_to_date.trafficking.victims": 2,
	"period.assisted": 35, "period.female": 5, "period.male": 30, "period.assistance.material": 1,
	"period.microprojects.total": 19, "period.microprojects.agriculture": 4,
	"period.microprojects.services": 9, "period.microprojects.commerce": 6,
}

// checkReference checks the reference figures with small cells shown, and
// that the default report hides exactly those under 5.
func checkReference(t *testing.T, c *cli, when string) {
	t.Helper()
	full := c.factsheetJSON(t, "--small-cells", "show")
	for path, want := range referenceFigures {
		if got := at(t, full, path); got != want {
			t.Errorf("%s: %s = %v, want %v", when, path, got, want)
		}
	}
	if age := at(t, full, "year_to_date.average_age").(float64); int(age+0.5) != 30 {
		t.Errorf("%s: average age %v, want 30", when, age)
	}
	hosts := at(t, full, "year_to_date.host_countries").([]any)
	wantHosts := []map[string]any{{"code": "IT", "count": 14.0}, {"code": "GR", "count": 7.0}}
	for i, w := range wantHosts {
		h := hosts[i].(map[string]any)
		if h["code"] != w["code"] || h["count"] != w["count"] {
			t.Errorf("%s: host country %d = %v, want %v", when, i+1, h, w)
		}
	}
	for _, h := range hosts[2:] {
		if n := h.(map[string]any)["count"].(float64); n > 6 {
			t.Errorf("%s: a third host country with %v returnees, the reference has 6 or fewer", when, n)
		}
	}
	traff := at(t, full, "year_to_date.trafficking.host_countries").([]any)
	if len(traff) != 1 || traff[0].(map[string]any)["code"] != "TR" || traff[0].(map[string]any)["count"] != 2.0 {
		t.Errorf("%s: trafficking by host country %v, want TR 2", when, traff)
	}

	managers := c.factsheetJSON(t)
	// Commerce (6) is hidden with agriculture (4): the total of 19 and the
	// other sectors would give agriculture away.
	complementary := map[string]bool{"period.microprojects.commerce": true}
	for path, want := range referenceFigures {
		got := at(t, managers, path)
		if want > 0 && want < 5 || complementary[path] {
			if got != nil {
				t.Errorf("%s: %s = %v shown to managers, want null (suppressed)", when, path, got)
			}
			continue
		}
		if got != want {
			t.Errorf("%s: managers' %s = %v, want %v", when, path, got, want)
		}
	}
	suppressed := at(t, managers, "suppressed").([]any)
	for _, p := range []string{"year_to_date.medical_assistance", "year_to_date.trafficking.victims",
		"year_to_date.trafficking.host_countries.TR", "period.assistance.material", "period.microprojects.agriculture",
		"period.microprojects.commerce"} {
		if !slices.Contains(suppressed, any(p)) {
			t.Errorf("%s: %s is not listed as suppressed: %v", when, p, suppressed)
		}
	}
	tr := at(t, managers, "year_to_date.trafficking.host_countries").([]any)[0].(map[string]any)
	if tr["count"] != nil || tr["suppressed"] != true {
		t.Errorf("%s: managers' trafficking host country %v, want count null and suppressed", when, tr)
	}
}

// The factsheet of the fixture gives every figure of the reference
// factsheet for 2018 Q2, and the same figures after three returnees of the
// period asked to be erased.
func TestFactsheetReferenceFigures(t *testing.T) {
	c := newCLI(t)
	c.addFixtureStaff(t)
	c.must(t, "returnees", "import", fixtureCSV)
	checkReference(t, c, "after import")

	// A consented success story of the period shows; one needs --consented.
	story := []string{"report", "story", "--ref", "MA-2018-0076", "--title", "L'histoire de N. F.", "--text", "Revenu d'Espagne, il élève des bovins.", "--told-on", "2018-05-10"}
	if _, err := c.run(story...); err == nil || !strings.Contains(err.Error(), "--consented") {
		t.Errorf("a story without consent: %v", err)
	}
	c.must(t, append(story, "--consented")...)

	// The year to date from another day, one region.
	ytd := c.factsheetJSON(t, "--ytd-from", "2018-03-01", "--region", "Oriental", "--small-cells", "show")
	wantYTD := c.count(t, `SELECT count(*) FROM returnees WHERE region = 'Oriental' AND return_date BETWEEN '2018-03-01' AND '2018-06-30'`)
	wantPeriod := c.count(t, `SELECT count(*) FROM returnees WHERE region = 'Oriental' AND return_date BETWEEN '2018-04-01' AND '2018-06-30'`)
	if at(t, ytd, "year_to_date.assisted") != float64(wantYTD) || at(t, ytd, "period.assisted") != float64(wantPeriod) || at(t, ytd, "ytd_from") != "2018-03-01" {
		t.Errorf("Oriental since 2018-03-01: %v and %v in the period, want %d and %d",
			at(t, ytd, "year_to_date.assisted"), at(t, ytd, "period.assisted"), wantYTD, wantPeriod)
	}

	// A case worker's own caseload, in full.
	mine := c.factsheetJSON(t, "--caseworker", "cw.amina")
	want := c.count(t, `SELECT count(*) FROM returnees r JOIN staff s ON s.id = r.caseworker_id
		WHERE s.handle = 'cw.amina' AND r.return_date BETWEEN '2018-04-01' AND '2018-06-30'`)
	if got := at(t, mine, "period.assisted"); got != float64(want) || at(t, mine, "small_cells") != "shown" || len(at(t, mine, "suppressed").([]any)) != 0 {
		t.Errorf("cw.amina's caseload: %v assisted (want %d), small cells %v, suppressed %v", got, want, at(t, mine, "small_cells"), at(t, mine, "suppressed"))
	}
	if s := at(t, c.factsheetJSON(t), "period.success_story.title"); s != "L'histoire de N. F." {
		t.Errorf("success story %v", s)
	}

	ctx := context.Background()
	for _, ref := range erasedRefs(t, c) {
		r, err := storage.ReturneeByRef(ctx, c.db, ref)
		if err != nil {
			t.Fatal(err)
		}
		if err := storage.InTx(ctx, c.db, func(tx *sql.Tx) error { return storage.EraseReturnee(ctx, tx, r.ID) }); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.count(t, `SELECT count(*) FROM returnees WHERE status = 'deleted'`); n != 3 {
		t.Fatalf("%d returnees erased, want 3", n)
	}
	if n := c.count(t, `SELECT count(*) FROM statistical_records`); n != 3 {
		t.Fatalf("%d statistical records, want 3", n)
	}
	checkReference(t, c, "after erasing three returnees")
	if n := c.count(t, `SELECT count(*) FROM audit_log WHERE action = 'report.factsheet'`); n != 7 {
		t.Errorf("%d factsheets in the audit log, want 7", n)
	}
}

// erasedRefs picks three returnees whose erasure touches the figures most:
// a woman of the period, the period's material assistance (with medical
// assistance) and a victim of trafficking of the year to date.
func erasedRefs(t *testing.T, c *cli) []string {
	t.Helper()
	refs := []string{}
	for _, cond := range []string{
		`sex = 'F' AND return_date >= '2018-04-01'`, `'material' = ANY (assistance) AND return_date >= '2018-04-01'`,
		`'trafficking' = ANY (vulnerabilities)`,
	} {
		var ref string
		if err := c.db.QueryRow(`SELECT ref FROM returnees WHERE return_date <= '2018-06-30' AND `+cond+
			` AND NOT ref = ANY ($1) ORDER BY ref LIMIT 1`, pq.Array(refs)).Scan(&ref); err != nil {
			t.Fatalf("pick a returnee where %s: %v", cond, err)
		}
		refs = append(refs, ref)
	}
	return refs
}

// The PDF of the fixture's factsheet has one or two pages whose text holds
// the figures; the XLSX opens with a sheet per table; HTML and Markdown
// carry the same figures, with "<5" where a figure is suppressed.
func TestFactsheetFormats(t *testing.T) {
	c := newCLI(t)
	c.addFixtureStaff(t)
	c.must(t, "returnees", "import", fixtureCSV)
	dir := t.TempDir()
	write := func(format, lang string, extra ...string) string {
		out := filepath.Join(dir, "q2-"+lang+"."+format)
		c.must(t, append([]string{"report", "factsheet", "--from", "2018-04-01", "--to", "2018-06-30",
			"--format", format, "--lang", lang, "--out", out}, extra...)...)
		return out
	}

	path := write("pdf", "fr", "--small-cells", "show")
	f, r, err := pdf.Open(path)
	if err != nil {
		t.Fatalf("open the PDF: %v", err)
	}
	defer f.Close()
	if n := r.NumPage(); n < 1 || n > 2 {
		t.Fatalf("the PDF has %d pages, want 1 or 2", n)
	}
	plain, err := r.GetPlainText()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := b.ReadFrom(plain); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{"83 MIGRANTS DE RETOUR ASSIST", "35 MIGRANTS DE RETOUR ASSIST", "01/04/2018", "30/06/2018",
		"Moyenne d'âge des bénéficiaires : 30 ans", "4 migrants de retour ont reçu une assistance médicale",
		"2 victimes de traite identifiées (Turquie 2)", "Italie", "14", "Grèce", "Assistance matérielle : 1", "Micro-projets : 19"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF text lacks %q:\n%s", want, text)
		}
	}

	// The Arabic PDF is in Arabic (report/pdf_test.go checks its shaping),
	// with the same figures.
	path = write("pdf", "ar")
	far, r, err := pdf.Open(path)
	if err != nil || r.NumPage() < 1 || r.NumPage() > 2 {
		t.Fatalf("the Arabic reader's PDF: %v", err)
	}
	defer far.Close()
	if plain, err = r.GetPlainText(); err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if _, err := b.ReadFrom(plain); err != nil {
		t.Fatal(err)
	}
	// Arabic comes out of this extractor garbled (it reads one byte of
	// each glyph), figures as they are: look for lines holding them.
	hasLine := func(figures ...string) bool {
		for line := range strings.Lines(b.String()) {
			fields := strings.Fields(line)
			if !slices.ContainsFunc(figures, func(f string) bool { return !slices.Contains(fields, f) }) {
				return true
			}
		}
		return false
	}
	for _, want := range [][]string{{"83", "01/01/2018"}, {"35", "01/04/2018", "30/06/2018"}, {"14"}, {"7"}, {"<5"}, {"19"}, {"30"}} {
		if !hasLine(want...) {
			t.Errorf("the Arabic PDF has no line with %q:\n%s", want, b.String())
		}
	}
	if data, _ := os.ReadFile(path); !bytes.Contains(data, []byte("/BaseFont /utf8dejavu")) {
		t.Error("the Arabic PDF does not embed the Unicode font")
	}

	x, err := excelize.OpenFile(write("xlsx", "ar"))
	if err != nil {
		t.Fatalf("open the XLSX: %v", err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	for _, s := range []string{"year_to_date", "host_countries", "period", "sectors", "follow_up", "alerts_by_severity", "breakdown"} {
		if !slices.Contains(sheets, s) {
			t.Errorf("the XLSX lacks sheet %s: %v", s, sheets)
		}
	}
	rows, err := x.GetRows("host_countries")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 4 || rows[2][1] != "IT" || rows[2][2] != "14" || rows[3][1] != "GR" || rows[3][2] != "7" {
		t.Errorf("XLSX host countries: %v", rows)
	}
	rows, _ = x.GetRows("sectors")
	if got := rows[2][1]; got != "<5" {
		t.Errorf("XLSX agriculture, suppressed for managers: %q", got)
	}

	html, _ := os.ReadFile(write("html", "en"))
	for _, want := range []string{"<svg", "83 returning migrants assisted since 01/01/2018", "<td>Italy</td><td>IT</td><td>14</td>", "&lt;5"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("the HTML lacks %q", want)
		}
	}
	if strings.Contains(string(html), "<link") || strings.Contains(string(html), "<script src") {
		t.Error("the HTML is not standalone")
	}
	md, _ := os.ReadFile(write("md", "fr"))
	for _, want := range []string{"35 migrants de retour assistés du 01/04/2018 au 30/06/2018", "| Prestation de services (transport, réparation…) | 9 |", `| Agriculture | \<5 |`, `| Commerce | \<5 |`} {
		if !strings.Contains(string(md), want) {
			t.Errorf("the Markdown lacks %q:\n%s", want, md)
		}
	}
}

// Bad flags are refused with the flag's name.
func TestFactsheetBadFlags(t *testing.T) {
	c := newCLI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--from", "2018-04-01", "--to", "2018-06-30", "--format", "docx", "--out", "x"}, `--format "docx"`},
		{[]string{"--from", "01/04/2018", "--to", "2018-06-30", "--format", "json", "--out", "x"}, `--from "01/04/2018"`},
		{[]string{"--from", "2018-07-01", "--to", "2018-06-30", "--format", "json", "--out", "x"}, "before --from"},
		{[]string{"--from", "2018-04-01", "--to", "2018-06-30", "--format", "json", "--lang", "de", "--out", "x"}, `--lang "de"`},
		{[]string{"--from", "2018-04-01", "--to", "2018-06-30", "--format", "json"}, "missing --out"},
	} {
		_, err := c.run(append([]string{"report", "factsheet"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || exitCode(err) != 2 {
			t.Errorf("%v: %v, want a usage error with %q", tc.args, err, tc.want)
		}
	}
}
