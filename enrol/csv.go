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

// separators a CSV file may use: a French-locale spreadsheet saves ";".
var separators = []rune{',', ';', '\t'}

// ReadCSV reads an import file: a header line naming the columns in any
// order, then one returnee a line; fields separated by commas, semicolons
// or tabs (whichever the header line uses most); UTF-8 with or without a
// byte order mark, LF or CRLF line ends. Every row is checked and each
// problem reported with its line. A file that cannot be read as a whole (no
// header, a missing or unknown column, broken quoting) is an error wrapping
// storage.ErrInvalid.
func (c Checker) ReadCSV(r io.Reader) (Result, error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(len(utf8BOM)); bytes.Equal(head, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	cr.Comma = detectSeparator(br)
	cr.FieldsPerRecord = -1 // row width is checked per row, with its line
	return c.read(csvSource{cr})
}

// detectSeparator picks the separator the header line uses most, outside
// quotes; a comma when it has none. The header names no column with a
// comma, semicolon or tab, so the most frequent one separates them.
func detectSeparator(br *bufio.Reader) rune {
	head, _ := br.Peek(br.Size())
	if i := bytes.IndexAny(head, "\r\n"); i >= 0 {
		head = head[:i]
	}
	counts := map[rune]int{}
	quoted := false
	for _, r := range string(head) {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && slices.Contains(separators, r):
			counts[r]++
		}
	}
	best := ','
	for _, sep := range separators {
		if counts[sep] > counts[best] {
			best = sep
		}
	}
	return best
}

// csvSource reads records from a CSV file.
type csvSource struct{ cr *csv.Reader }

func (s csvSource) next() ([]string, int, error) {
	record, err := s.cr.Read()
	if err != nil {
		return nil, 0, csvError(err)
	}
	line, _ := s.cr.FieldPos(0)
	return record, line, nil
}

func (csvSource) place(line int) string { return fmt.Sprintf("line %d", line) }

// headerColumns checks the header: every required column, no unknown or
// repeated one (an unknown column is refused rather than ignored, so a typo
// or a column of names is noticed).
func headerColumns(header []string, place string) ([]string, error) {
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
		return nil, fmt.Errorf("%s: %s; the columns are %s (assistance, sector and vulnerabilities may be left out): %w",
			place, strings.Join(problems, ", "), strings.Join(Columns, ","), storage.ErrInvalid)
	}
	return cols, nil
}

// csvError turns a quoting mistake into an error naming its line.
func csvError(err error) error {
	if errors.Is(err, io.EOF) {
		return err
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("line %d: %v: %w", pe.Line, pe.Err, storage.ErrInvalid)
	}
	return fmt.Errorf("read file: %w", err)
}
