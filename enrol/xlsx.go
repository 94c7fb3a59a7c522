package enrol

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"suivi/storage"
)

// dateColumns hold dates: in a workbook they are usually date cells, which
// Excel stores as a number of days.
var dateColumns = []string{"birth_date", "return_date"}

// ReadXLSX reads the first sheet of an Excel workbook laid out as the CSV
// file is: a header row naming the columns, then one returnee a row. Date
// cells are read as dates whatever their display format; a date typed as
// text must be ISO (2018-04-21). Blank rows are ignored. Problems name the
// sheet and the row number Excel shows.
func (c Checker) ReadXLSX(r io.Reader) (Result, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return Result{}, fmt.Errorf("not a readable Excel workbook (save it as .xlsx, or as CSV UTF-8): %v: %w", err, storage.ErrInvalid)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return Result{}, fmt.Errorf("the workbook has no sheet: %w", storage.ErrInvalid)
	}
	props, err := f.GetWorkbookProps()
	if err != nil {
		return Result{}, fmt.Errorf("read workbook properties: %w", err)
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return Result{}, fmt.Errorf("read sheet %q: %v: %w", sheets[0], err, storage.ErrInvalid)
	}
	defer rows.Close()
	return c.read(&xlsxSource{file: f, rows: rows, sheet: sheets[0], date1904: props.Date1904 != nil && *props.Date1904})
}

// xlsxSource reads records from a sheet, raw values so that date cells come
// as day numbers whatever their display format.
type xlsxSource struct {
	file     *excelize.File
	rows     *excelize.Rows
	sheet    string
	date1904 bool
	row      int      // number of the last row read, as Excel shows it
	header   []string // column names once the header is read
}

func (s *xlsxSource) next() ([]string, int, error) {
	for s.rows.Next() {
		s.row++
		cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %v: %w", s.place(s.row), err, storage.ErrInvalid)
		}
		if blank(cells) {
			continue
		}
		if s.header == nil {
			s.header = make([]string, len(cells))
			for i, c := range cells {
				s.header[i] = strings.ToLower(strings.TrimSpace(c))
			}
			return cells, s.row, nil
		}
		// A row ends at its last non-empty cell: empty optional cells at the
		// end are missing, blank cells past the header are nothing.
		for len(cells) > len(s.header) && strings.TrimSpace(cells[len(cells)-1]) == "" {
			cells = cells[:len(cells)-1]
		}
		for len(cells) < len(s.header) {
			cells = append(cells, "")
		}
		if len(cells) == len(s.header) {
			s.readDates(cells)
		}
		return cells, s.row, nil
	}
	if err := s.rows.Error(); err != nil {
		return nil, 0, fmt.Errorf("read sheet %q: %v: %w", s.sheet, err, storage.ErrInvalid)
	}
	if s.header == nil {
		return nil, 0, fmt.Errorf("sheet %q is empty: the returnees must be on the first sheet, under a header row such as %s: %w",
			s.sheet, strings.Join(Columns, ","), storage.ErrInvalid)
	}
	return nil, 0, io.EOF
}

// readDates turns date cells of date columns into ISO dates; anything else,
// such as a plain number, is left for the checks to report.
func (s *xlsxSource) readDates(cells []string) {
	for i, col := range s.header {
		if !slices.Contains(dateColumns, col) || !s.isDateCell(i+1) {
			continue
		}
		days, err := strconv.ParseFloat(strings.TrimSpace(cells[i]), 64)
		if err != nil {
			continue
		}
		if t, err := excelize.ExcelDateToTime(days, s.date1904); err == nil {
			cells[i] = t.Format(time.DateOnly)
		}
	}
}

// isDateCell tells whether the cell of column col on the current row has a
// date format, built-in (ids 14 to 22, and 27 to 36 and 50 to 58 for East Asian locales) or custom
// (one with a day or year part).
func (s *xlsxSource) isDateCell(col int) bool {
	cell, err := excelize.CoordinatesToCellName(col, s.row)
	if err != nil {
		return false
	}
	id, err := s.file.GetCellStyle(s.sheet, cell)
	if err != nil {
		return false
	}
	style, err := s.file.GetStyle(id)
	if err != nil || style == nil {
		return false
	}
	if style.CustomNumFmt != nil {
		return strings.ContainsAny(strings.ToLower(*style.CustomNumFmt), "dy")
	}
	n := style.NumFmt
	return n >= 14 && n <= 22 || n >= 27 && n <= 36 || n >= 50 && n <= 58
}

func (s *xlsxSource) place(row int) string { return fmt.Sprintf("sheet %q row %d", s.sheet, row) }

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
