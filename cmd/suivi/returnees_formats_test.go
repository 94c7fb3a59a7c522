package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func fixtureRecords(t *testing.T) [][]string {
	t.Helper()
	f, err := os.Open(fixtureCSV)
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

// A file saved by a French-locale spreadsheet, ";" between fields, imports
// like the comma file (it used to be refused as `unknown column "ref;sex;…"`).
func TestReturneesImportSemicolonCSV(t *testing.T) {
	c := newCLI(t)
	c.addFixtureStaff(t)
	path := filepath.Join(t.TempDir(), "returnees.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.Comma, w.UseCRLF = ';', true
	if err := w.WriteAll(fixtureRecords(t)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if out := c.must(t, "returnees", "import", path); out != "83 returnees: 83 created, 0 updated, 0 skipped\n" {
		t.Fatalf("printed %q", out)
	}
	if n := c.count(t, `SELECT count(*) FROM returnees WHERE ref = 'MA-2018-0001' AND region = 'Tanger-Tétouan-Al Hoceïma'
		AND birth_date = '1998-07-13' AND caseworker_id = (SELECT id FROM staff WHERE handle = 'cw.salma')`); n != 1 {
		t.Fatal("MA-2018-0001 not stored as in the file")
	}
}

// writeWorkbook saves records as a workbook whose date columns are date
// cells shown dd/mm/yyyy, as a case worker's spreadsheet has them.
func writeWorkbook(t *testing.T, records [][]string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Feuil1"
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
			if d, err := time.Parse(time.DateOnly, v); err == nil && r > 0 {
				err = f.SetCellValue(sheet, cell, d)
				if err == nil {
					err = f.SetCellStyle(sheet, cell, cell, style)
				}
				if err != nil {
					t.Fatal(err)
				}
			} else if v != "" {
				if err := f.SetCellStr(sheet, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	path := filepath.Join(t.TempDir(), "returnees.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReturneesImportXLSX(t *testing.T) {
	c := newCLI(t)
	c.addFixtureStaff(t)
	records := fixtureRecords(t)
	// A refused workbook changes nothing, and says which sheet, row and column.
	bad := make([][]string, len(records))
	for i, rec := range records {
		bad[i] = append([]string(nil), rec...)
	}
	bad[5][1] = "H"
	_, err := c.run("returnees", "import", writeWorkbook(t, bad))
	if err == nil || !strings.Contains(err.Error(), "1 invalid row, nothing imported") ||
		!strings.Contains(err.Error(), `sheet "Feuil1" row 6: sex "H": expected F or M`) {
		t.Fatalf("err = %v", err)
	}
	if n := c.count(t, `SELECT count(*) FROM returnees`); n != 0 {
		t.Fatalf("%d returnees stored from a refused workbook", n)
	}
	if out := c.must(t, "returnees", "import", writeWorkbook(t, records)); out != "83 returnees: 83 created, 0 updated, 0 skipped\n" {
		t.Fatalf("printed %q", out)
	}
	if n := c.count(t, `SELECT count(*) FROM returnees WHERE sex = 'F'`); n != 12 {
		t.Fatalf("%d women, want 12", n)
	}
	if n := c.count(t, `SELECT count(*) FROM returnees WHERE ref = 'MA-2018-0003' AND birth_date = '1978-09-21' AND return_date = '2018-04-21'`); n != 1 {
		t.Fatal("date cells not read as the fixture's dates")
	}
}
