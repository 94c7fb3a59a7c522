package report

import (
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// writeXLSX writes one sheet per table. Figures are numbers where they are
// numbers, so a manager can compute with them; "<5" stays text.
func writeXLSX(w io.Writer, f *Factsheet, l L) error {
	x := excelize.NewFile()
	defer x.Close()
	for i, t := range Tables(f, l) {
		if i == 0 {
			if err := x.SetSheetName("Sheet1", t.ID); err != nil {
				return fmt.Errorf("xlsx sheet %s: %w", t.ID, err)
			}
		} else if _, err := x.NewSheet(t.ID); err != nil {
			return fmt.Errorf("xlsx sheet %s: %w", t.ID, err)
		}
		if l.lang == "ar" {
			rtl := true
			if err := x.SetSheetView(t.ID, 0, &excelize.ViewOptions{RightToLeft: &rtl}); err != nil {
				return fmt.Errorf("xlsx sheet %s: %w", t.ID, err)
			}
		}
		rows := append([][]string{{t.Title}, t.Headers}, t.Rows...)
		for r, row := range rows {
			cells := make([]any, len(row))
			for c, v := range row {
				cells[c] = cellValue(v)
			}
			addr, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := x.SetSheetRow(t.ID, addr, &cells); err != nil {
				return fmt.Errorf("xlsx sheet %s: %w", t.ID, err)
			}
		}
		if err := x.SetColWidth(t.ID, "A", "B", 40); err != nil {
			return fmt.Errorf("xlsx sheet %s: %w", t.ID, err)
		}
	}
	if _, err := x.WriteTo(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

// cellValue turns a figure that is a plain number into a number.
func cellValue(s string) any {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return v
	}
	return s
}
