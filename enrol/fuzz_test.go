package enrol_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"suivi/enrol"
	"suivi/storage"
)

// FuzzReadCSV feeds the import whatever a spreadsheet might export: a file
// is either refused as a whole with an error naming why, or read into valid
// rows and problems that each name their line; no row is both, none is
// invented, and a reference is never imported twice.
func FuzzReadCSV(f *testing.F) {
	checker := enrol.Checker{Now: time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC),
		Caseworkers: map[string]bool{"cw.salma": true, "cw.youssef": true}}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := checker.ReadCSV(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, storage.ErrInvalid) {
				t.Fatalf("a refused file's error is not ErrInvalid: %v", err)
			}
			if err.Error() == "" || len(res.Rows) > 0 || len(res.Problems) > 0 {
				t.Fatalf("a refused file returned rows or problems, or a blank error: %v", err)
			}
			return
		}
		lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
		refs := map[string]bool{}
		rowLines := map[int]bool{}
		for _, r := range res.Rows {
			if r.Line < 2 || r.Line > lines {
				t.Fatalf("row of %q on line %d, outside the file's %d lines", r.Input.Ref, r.Line, lines)
			}
			if r.Input.Ref == "" || refs[r.Input.Ref] {
				t.Fatalf("line %d: reference %q is empty or imported twice", r.Line, r.Input.Ref)
			}
			refs[r.Input.Ref] = true
			rowLines[r.Line] = true
		}
		for _, p := range res.Problems {
			if p.Line < 2 || p.Line > lines {
				t.Fatalf("problem %q on line %d, outside the file's %d lines", p.Error(), p.Line, lines)
			}
			if rowLines[p.Line] {
				t.Fatalf("line %d is both a valid row and a problem: %s", p.Line, p.Error())
			}
			if msg := p.Error(); !strings.HasPrefix(msg, "line ") || p.Reason == "" {
				t.Fatalf("problem does not name its line or reason: %q", msg)
			}
		}
	})
}
