package enrol_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"suivi/enrol"
)

// fixtureRecords reads the fixture as records, header first.
func fixtureRecords(t *testing.T) [][]string {
	t.Helper()
	f, err := os.Open(fixture)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return records
}

// csvOf writes records with the given separator, as a spreadsheet saves
// them: CRLF line ends, fields holding the separator quoted.
func csvOf(t *testing.T, records [][]string, sep rune) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = sep
	w.UseCRLF = true
	if err := w.WriteAll(records); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The fixture saved by a French-locale spreadsheet (";" between fields)
// reads as the fixture does.
func TestReadSemicolonCSVIsTheFixture(t *testing.T) {
	records := fixtureRecords(t)
	records[8][7] += ";training" // a list, which the ";" file must quote
	want, err := fixtureChecker.ReadCSV(bytes.NewReader(csvOf(t, records, ',')))
	if err != nil {
		t.Fatal(err)
	}
	text := csvOf(t, records, ';')
	if !bytes.HasPrefix(text, []byte("ref;sex;")) || !bytes.Contains(text, []byte(`;"microproject;training";`)) {
		t.Fatalf("the generated file quotes no list:\n%s", text[:300])
	}
	got, err := fixtureChecker.ReadCSV(bytes.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Problems) > 0 || len(got.Rows) != 83 {
		t.Fatalf("%d rows, problems %v", len(got.Rows), got.Problems)
	}
	for i := range want.Rows {
		w, g := want.Rows[i].Input, got.Rows[i].Input
		if g.Ref != w.Ref || !g.BirthDate.Equal(w.BirthDate) || !slices.Equal(g.Assistance, w.Assistance) ||
			!slices.Equal(g.Vulnerabilities, w.Vulnerabilities) || g.Region != w.Region || g.Sector != w.Sector {
			t.Fatalf("row %d: %+v, want %+v", i, g, w)
		}
	}
}

func TestReadCSVSeparators(t *testing.T) {
	records := [][]string{
		strings.Split(header, ","),
		{"MA-1", "F", "1990-01-02", "2018-03-04", "IT", "Oriental", "AVRR", "material;microproject", "services", "", "cw.salma"},
	}
	for _, sep := range []rune{',', ';', '\t'} {
		res, err := fixtureChecker.ReadCSV(bytes.NewReader(csvOf(t, records, sep)))
		if err != nil || len(res.Problems) > 0 || len(res.Rows) != 1 {
			t.Fatalf("separator %q: err %v, problems %v", sep, err, res.Problems)
		}
		if a := res.Rows[0].Input.Assistance; !slices.Equal(a, []string{"material", "microproject"}) {
			t.Fatalf("separator %q: assistance %v", sep, a)
		}
	}
	// A bad row in a ";" file is reported as in a "," file.
	bad := "ref;sex;birth_date;return_date;host_country;region;programme;caseworker\nMA-1;X;1990-01-02;2018-03-04;IT;Oriental;AVRR;cw.salma\n"
	res, err := fixtureChecker.ReadCSV(strings.NewReader(bad))
	if err != nil || len(res.Problems) != 1 || res.Problems[0].Error() != `line 2: sex "X": expected F or M` {
		t.Fatalf("err %v, problems %v", err, res.Problems)
	}
}

// workbook writes records into a new workbook's first sheet, the dates as
// date cells (a French display format, dd/mm/yyyy) unless asText.
func workbook(t *testing.T, records [][]string, sheet string, asText bool) *bytes.Buffer {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	frDate := "dd/mm/yyyy"
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &frDate})
	if err != nil {
		t.Fatal(err)
	}
	for r, rec := range records {
		for c, v := range rec {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			col := records[0][c]
			if d, err := time.Parse(time.DateOnly, v); err == nil && r > 0 && !asText && (col == "birth_date" || col == "return_date") {
				if err := f.SetCellValue(sheet, cell, d); err != nil {
					t.Fatal(err)
				}
				if err := f.SetCellStyle(sheet, cell, cell, style); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if v == "" {
				continue // an empty cell, as a spreadsheet leaves it
			}
			if n, err := strconv.Atoi(v); err == nil {
				if err := f.SetCellInt(sheet, cell, int64(n)); err != nil { // a number cell
					t.Fatal(err)
				}
				continue
			}
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return &b
}

func TestReadXLSXIsTheFixture(t *testing.T) {
	records := fixtureRecords(t)
	want, err := fixtureChecker.ReadCSV(bytes.NewReader(csvOf(t, records, ',')))
	if err != nil {
		t.Fatal(err)
	}
	for _, asText := range []bool{false, true} {
		got, err := fixtureChecker.ReadFile("returnees.XLSX", workbook(t, records, "Feuil1", asText))
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Problems) > 0 || len(got.Rows) != 83 {
			t.Fatalf("dates as text %v: %d rows, problems %v", asText, len(got.Rows), got.Problems)
		}
		for i := range want.Rows {
			w, g := want.Rows[i].Input, got.Rows[i].Input
			if g.Ref != w.Ref || !g.BirthDate.Equal(w.BirthDate) || !g.ReturnDate.Equal(w.ReturnDate) ||
				!slices.Equal(g.Assistance, w.Assistance) || g.CaseworkerHandle != w.CaseworkerHandle || got.Rows[i].Line != want.Rows[i].Line {
				t.Fatalf("row %d: %+v line %d, want %+v line %d", i, g, got.Rows[i].Line, w, want.Rows[i].Line)
			}
		}
	}
}

func TestReadXLSXReportsSheetRowAndColumn(t *testing.T) {
	records := [][]string{
		strings.Split(header, ","),
		{"MA-1", "F", "1990-01-02", "2018-03-04", "IT", "Oriental", "AVRR", "", "", "", "cw.salma"},
		{"", "", "", "", "", "", "", "", "", "", ""}, // a blank row is ignored
		{"MA-2", "X", "1990-01-02", "2019-03-04", "IT", "Oriental", "AVRR", "", "", "", "cw.salma"},
		{"MA-3", "M", "1990", "2018-03-04", "IT", "Oriental", "AVRR", "", "", "", "cw.salma"},
	}
	res, err := fixtureChecker.ReadXLSX(workbook(t, records, "Feuil1", false))
	if err != nil {
		t.Fatal(err)
	}
	got := (&enrol.ProblemsError{Problems: res.Problems}).Error()
	for _, w := range []string{
		`sheet "Feuil1" row 4: sex "X": expected F or M`,
		`sheet "Feuil1" row 4: return_date "2019-03-04": in the future (today is 2018-07-15)`,
		`sheet "Feuil1" row 5: birth_date "1990": expected an ISO date`, // a number, not a date cell

	} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in\n%s", w, got)
		}
	}
	if len(res.Rows) != 1 || res.Rows[0].Line != 2 || res.InvalidLines() != 2 {
		t.Fatalf("rows %+v, %d invalid", res.Rows, res.InvalidLines())
	}
}

func TestReadXLSXRefusesOtherFiles(t *testing.T) {
	_, err := fixtureChecker.ReadFile("returnees.xlsx", strings.NewReader(header+"\n"))
	if err == nil || !strings.Contains(err.Error(), "not a readable Excel workbook") {
		t.Fatalf("err %v", err)
	}
	_, err = fixtureChecker.ReadXLSX(workbook(t, nil, "Feuil1", false))
	if err == nil || !strings.Contains(err.Error(), `sheet "Feuil1" is empty`) {
		t.Fatalf("err %v", err)
	}
	_, err = fixtureChecker.ReadXLSX(workbook(t, [][]string{{"ref", "name"}}, "Feuil1", false))
	if err == nil || !strings.Contains(err.Error(), `sheet "Feuil1" row 1: unknown column "name"`) {
		t.Fatalf("err %v", err)
	}
}
