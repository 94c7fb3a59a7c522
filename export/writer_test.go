package export

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var casablanca = time.FixedZone("Africa/Casablanca", 3600)

func sample(t *testing.T, w Writer, rows int) {
	t.Helper()
	if err := w.Header([]string{"ref", "n", "score", "at", "day", "empty"}); err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		err := w.Row([]any{"MA-é-ع", int64(i), 0.25, time.Date(2018, 4, 21, 13, 5, 0, 0, time.UTC),
			Date{time.Date(2018, 4, 21, 0, 0, 0, 0, time.UTC)}, nil})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCSVCells(t *testing.T) {
	var b bytes.Buffer
	w, err := New("csv", &b, "answers", casablanca)
	if err != nil {
		t.Fatal(err)
	}
	sample(t, w, 2)
	want := "\ufeffref,n,score,at,day,empty\n" +
		"MA-é-ع,0,0.25,2018-04-21 14:05:00,2018-04-21,\n" +
		"MA-é-ع,1,0.25,2018-04-21 14:05:00,2018-04-21,\n"
	if b.String() != want {
		t.Fatalf("got\n%q\nwant\n%q", b.String(), want)
	}
}

// A sheet holds at most maxSheetRows rows, header included; the export goes
// on in a new sheet with the header again.
func TestXLSXCellsAndSheetRollover(t *testing.T) {
	defer func(n int) { maxSheetRows = n }(maxSheetRows)
	maxSheetRows = 4
	var b bytes.Buffer
	w, err := New("xlsx", &b, "answers", casablanca)
	if err != nil {
		t.Fatal(err)
	}
	sample(t, w, 7)
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), "|"); got != "answers|answers 2|answers 3" {
		t.Fatalf("sheets %s", got)
	}
	total := 0
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if rows[0][0] != "ref" || len(rows) > maxSheetRows {
			t.Fatalf("%s: %d rows, header %v", sheet, len(rows), rows[0])
		}
		total += len(rows) - 1
	}
	if total != 7 {
		t.Fatalf("%d data rows, want 7", total)
	}
	rows, _ := f.GetRows("answers")
	if r := rows[1]; r[0] != "MA-é-ع" || r[1] != "0" || r[2] != "0.25" || r[3] != "2018-04-21 14:05" || r[4] != "2018-04-21" {
		t.Fatalf("cells %q", r)
	}
	if typ, _ := f.GetCellType("answers", "D2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Fatalf("the time is a %v cell, want a number with a date format", typ)
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := New("ods", &bytes.Buffer{}, "answers", time.UTC); err == nil {
		t.Fatal("ods accepted")
	}
}
