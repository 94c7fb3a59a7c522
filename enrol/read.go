package enrol

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"suivi/storage"
)

// source yields the records of an import file, header first; io.EOF ends it.
// pos is the record's line (CSV) or row (XLSX) number, as the case worker's
// software shows it, so a problem points at what they see.
type source interface {
	next() (record []string, pos int, err error)
	// place names a position in problems: "line 7" or `sheet "Feuil1" row 7`.
	place(pos int) string
}

// ReadFile reads an import file by its name: a .xlsx workbook (the first
// sheet) or a CSV separated by commas, semicolons or tabs.
func (c Checker) ReadFile(name string, r io.Reader) (Result, error) {
	if strings.EqualFold(filepath.Ext(name), ".xlsx") {
		return c.ReadXLSX(r)
	}
	return c.ReadCSV(r)
}

// read checks every record of src against the header; see ReadCSV.
func (c Checker) read(src source) (Result, error) {
	header, headerPos, err := src.next()
	if errors.Is(err, io.EOF) {
		return Result{}, fmt.Errorf("empty file: expected a header line such as %s: %w", strings.Join(Columns, ","), storage.ErrInvalid)
	}
	if err != nil {
		return Result{}, err
	}
	cols, err := headerColumns(header, src.place(headerPos))
	if err != nil {
		return Result{}, err
	}
	var res Result
	firstPos := map[string]int{} // ref → position where it first appears
	for {
		record, pos, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Result{}, err
		}
		if len(record) != len(cols) {
			res.Problems = append(res.Problems, Problem{Line: pos, place: src.place(pos),
				Reason: fmt.Sprintf("%d fields, expected %d as in the header", len(record), len(cols))})
			continue
		}
		f := make(Fields, len(cols))
		for i, col := range cols {
			f[col] = strings.TrimSpace(record[i])
		}
		in, problems := c.Check(f)
		if first, dup := firstPos[f["ref"]]; dup && f["ref"] != "" {
			problems = append(problems, Problem{Field: "ref", Value: f["ref"], Reason: "already on " + src.place(first)})
		} else if f["ref"] != "" {
			firstPos[f["ref"]] = pos
		}
		if len(problems) > 0 {
			for _, p := range problems {
				p.Line, p.place = pos, src.place(pos)
				res.Problems = append(res.Problems, p)
			}
			continue
		}
		res.Rows = append(res.Rows, Row{Line: pos, Input: in})
	}
	return res, nil
}
