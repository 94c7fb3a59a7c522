package enrol

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"suivi/storage"
)

// Row is a valid returnee and the file line it came from.
type Row struct {
	Line  int
	Input storage.ReturneeInput
}

// Result is a read file: the valid rows and the problems of the others.
type Result struct {
	Rows     []Row
	Problems []Problem
}

// Inputs returns the valid rows ready for storage.UpsertReturnees.
func (r Result) Inputs() []storage.ReturneeInput {
	out := make([]storage.ReturneeInput, len(r.Rows))
	for i, row := range r.Rows {
		out[i] = row.Input
	}
	return out
}

// InvalidLines counts the lines with at least one problem.
func (r Result) InvalidLines() int {
	lines := map[int]bool{}
	for _, p := range r.Problems {
		lines[p.Line] = true
	}
	return len(lines)
}

// UnknownCaseworkers lists, once each and in order of appearance, the case
// worker handles that have no staff row.
func (r Result) UnknownCaseworkers() []string {
	var out []string
	for _, p := range r.Problems {
		if p.Reason == ReasonUnknownStaff && !slices.Contains(out, p.Value) {
			out = append(out, p.Value)
		}
	}
	return out
}

// ProblemsError lists every problem of an input; it is storage.ErrInvalid.
type ProblemsError struct{ Problems []Problem }

func (e *ProblemsError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap makes the error a storage.ErrInvalid.
func (e *ProblemsError) Unwrap() error { return storage.ErrInvalid }

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// ReadCSV reads an import file: a header line naming the columns in any
// order, then one returnee a line; UTF-8 with or without a byte order mark,
// LF or CRLF line ends. Every row is checked and each problem reported with
// its line. A file that cannot be read as a whole (no header, a missing or
// unknown column, broken quoting) is an error wrapping storage.ErrInvalid.
func (c Checker) ReadCSV(r io.Reader) (Result, error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(len(utf8BOM)); bytes.Equal(head, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // row width is checked per row, with its line
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return Result{}, fmt.Errorf("empty file: expected a header line such as %s: %w", strings.Join(Columns, ","), storage.ErrInvalid)
	}
	if err != nil {
		return Result{}, csvError(err)
	}
	headerLine, _ := cr.FieldPos(0)
	cols, err := headerColumns(header, headerLine)
	if err != nil {
		return Result{}, err
	}
	var res Result
	firstLine := map[string]int{} // ref → line where it first appears
	for {
		record, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Result{}, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(record) != len(cols) {
			res.Problems = append(res.Problems, Problem{Line: line,
				Reason: fmt.Sprintf("%d fields, expected %d as in the header", len(record), len(cols))})
			continue
		}
		f := make(Fields, len(cols))
		for i, col := range cols {
			f[col] = strings.TrimSpace(record[i])
		}
		in, problems := c.Check(f)
		if first, dup := firstLine[f["ref"]]; dup && f["ref"] != "" {
			problems = append(problems, Problem{Field: "ref", Value: f["ref"], Reason: fmt.Sprintf("already on line %d", first)})
		} else if f["ref"] != "" {
			firstLine[f["ref"]] = line
		}
		if len(problems) > 0 {
			for _, p := range problems {
				p.Line = line
				res.Problems = append(res.Problems, p)
			}
			continue
		}
		res.Rows = append(res.Rows, Row{Line: line, Input: in})
	}
	return res, nil
}

// headerColumns checks the header: every required column, no unknown or
// repeated one (an unknown column is refused rather than ignored, so a typo
// or a column of names is noticed).
func headerColumns(header []string, line int) ([]string, error) {
	cols := make([]string, len(header))
	var problems []string
	for i, h := range header {
		col := strings.ToLower(strings.TrimSpace(h))
		cols[i] = col
		switch {
		case !slices.Contains(Columns, col):
			problems = append(problems, fmt.Sprintf("unknown column %q", h))
		case slices.Contains(cols[:i], col):
			problems = append(problems, fmt.Sprintf("column %q appears twice", col))
		}
	}
	for _, req := range RequiredColumns {
		if !slices.Contains(cols, req) {
			problems = append(problems, fmt.Sprintf("missing column %q", req))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("line %d: %s; the columns are %s (assistance, sector and vulnerabilities may be left out): %w",
			line, strings.Join(problems, ", "), strings.Join(Columns, ","), storage.ErrInvalid)
	}
	return cols, nil
}

// csvError turns a quoting mistake into an error naming its line.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("line %d: %v: %w", pe.Line, pe.Err, storage.ErrInvalid)
	}
	return fmt.Errorf("read file: %w", err)
}
