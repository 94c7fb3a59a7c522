// Package export writes tables of Suivi's data to CSV or XLSX files as rows
// come from the database, so the memory an export takes does not grow with
// its size: one row is in memory at a time, the XLSX sheet is spooled to a
// temporary file by excelize and zipped straight into the output.
package export

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// Formats an export can be written in.
var Formats = []string{"csv", "xlsx"}

// Writer takes a header, then rows whose cells are string, int64, float64,
// time.Time (an instant, shown in the export's time zone), Date or nil
// (empty), then Close.
type Writer interface {
	Header(cols []string) error
	Row(cells []any) error
	Close() error
}

// Date is a calendar date, such as a return date: shown as it is, in no
// time zone.
type Date struct{ time.Time }

// New returns the writer of format ("csv" or "xlsx") into out; sheet names
// the XLSX sheet, loc is where times are shown.
func New(format string, out io.Writer, sheet string, loc *time.Location) (Writer, error) {
	switch format {
	case "csv":
		return newCSV(out, loc), nil
	case "xlsx":
		return newXLSX(out, sheet, loc)
	}
	return nil, fmt.Errorf("format %q: expected csv or xlsx", format)
}

// csvWriter writes UTF-8 with a byte order mark, which spreadsheets need
// to read accents and Arabic right; times as 2018-04-21 14:05:00.
type csvWriter struct {
	buf  *bufio.Writer
	w    *csv.Writer
	loc  *time.Location
	line []string
}

func newCSV(out io.Writer, loc *time.Location) *csvWriter {
	buf := bufio.NewWriterSize(out, 64<<10)
	return &csvWriter{buf: buf, w: csv.NewWriter(buf), loc: loc}
}

func (c *csvWriter) Header(cols []string) error {
	if _, err := c.buf.WriteString("\ufeff"); err != nil {
		return err
	}
	return c.w.Write(cols)
}

func (c *csvWriter) Row(cells []any) error {
	c.line = c.line[:0]
	for _, v := range cells {
		c.line = append(c.line, c.text(v))
	}
	return c.w.Write(c.line)
}

func (c *csvWriter) text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case Date:
		return v.Format(time.DateOnly)
	case time.Time:
		return v.In(c.loc).Format(time.DateTime)
	}
	return fmt.Sprint(v)
}

func (c *csvWriter) Close() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return err
	}
	return c.buf.Flush()
}

// maxSheetRows is Excel's limit; a longer export goes on to a new sheet,
// "answers 2", with the header again. A variable for the tests.
var maxSheetRows = 1048576

// xlsxWriter streams rows into a sheet with excelize's StreamWriter.
type xlsxWriter struct {
	out     io.Writer
	f       *excelize.File
	sw      *excelize.StreamWriter
	name    string
	sheets  int
	row     int // last row written on the current sheet
	header  []any
	loc     *time.Location
	dateFmt int // style of date cells
	timeFmt int // style of date and time cells
	cells   []any
}

func newXLSX(out io.Writer, sheet string, loc *time.Location) (*xlsxWriter, error) {
	f := excelize.NewFile()
	// The zip is written straight to out rather than built in memory first,
	// which is what excelize does by default (WriteToBuffer).
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(out) })
	x := &xlsxWriter{out: out, f: f, name: sheet, loc: loc}
	dateFmt, timeFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
	var err error
	if x.dateFmt, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return nil, fmt.Errorf("xlsx style: %w", err)
	}
	if x.timeFmt, err = f.NewStyle(&excelize.Style{CustomNumFmt: &timeFmt}); err != nil {
		return nil, fmt.Errorf("xlsx style: %w", err)
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("xlsx sheet: %w", err)
	}
	x.sheets = 1
	if x.sw, err = f.NewStreamWriter(sheet); err != nil {
		return nil, fmt.Errorf("xlsx sheet: %w", err)
	}
	return x, nil
}

func (x *xlsxWriter) Header(cols []string) error {
	x.header = make([]any, len(cols))
	for i, c := range cols {
		x.header[i] = c
	}
	if err := x.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return x.put(x.header)
}

func (x *xlsxWriter) put(cells []any) error {
	x.row++
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, cells)
}

func (x *xlsxWriter) Row(cells []any) error {
	if x.row == maxSheetRows {
		if err := x.nextSheet(); err != nil {
			return err
		}
	}
	x.cells = x.cells[:0]
	for _, v := range cells {
		switch t := v.(type) {
		case Date:
			y, m, d := t.Date()
			v = excelize.Cell{StyleID: x.dateFmt, Value: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
		case time.Time:
			// Excel has no time zones: the local wall clock is written.
			local := t.In(x.loc)
			wall := time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(), local.Second(), 0, time.UTC)
			v = excelize.Cell{StyleID: x.timeFmt, Value: wall}
		}
		x.cells = append(x.cells, v)
	}
	return x.put(x.cells)
}

func (x *xlsxWriter) nextSheet() error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	x.sheets++
	name := fmt.Sprintf("%s %d", x.name, x.sheets)
	if _, err := x.f.NewSheet(name); err != nil {
		return err
	}
	sw, err := x.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	x.sw, x.row = sw, 0
	return x.put(x.header)
}

func (x *xlsxWriter) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(io.Discard) // the zip went to out through SetZipWriter
	return err
}
