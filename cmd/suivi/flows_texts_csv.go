package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"suivi/flows"
)

// CSV files for translators who work in a spreadsheet: a header row, then
// one row a text with its context, where it is, the source text (French, or
// English for French), English as a hint, and the translation in the last
// column, named by its language.

func writeTextsCSV(w io.Writer, lang string, entries []flows.TextEntry) error {
	src := sourceLang(lang)
	cw := csv.NewWriter(w)
	header := []string{"context", "location", src}
	if src != "en" && lang != "en" {
		header = append(header, "en")
	}
	header = append(header, lang)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, e := range entries {
		row := []string{e.Context, fmt.Sprintf("%s:%d", e.File, e.Line), e.Text[src]}
		if len(header) == 5 {
			row = append(row, e.Text["en"])
		}
		row = append(row, e.Text[lang])
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// readCSV reads a translators' CSV: the language is the last column's name.
func readTextsCSV(path string, data []byte) (string, []translation, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return "", nil, fmt.Errorf("%s:1: %w", path, err)
	}
	ctxCol := -1
	for i, h := range header {
		if strings.TrimSpace(h) == "context" {
			ctxCol = i
		}
	}
	if ctxCol < 0 || len(header) < 2 {
		return "", nil, fmt.Errorf("%s:1: the header needs a context column and the translation's language as the last column", path)
	}
	last := len(header) - 1
	lang := strings.TrimSpace(header[last])
	src := -1
	for i, h := range header {
		if i != last && strings.TrimSpace(h) == sourceLang(lang) {
			src = i
		}
	}
	var out []translation
	var errs []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return "", nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if len(rec) != len(header) {
			errs = append(errs, fmt.Sprintf("%s:%d: %d columns, the header has %d", path, line, len(rec), len(header)))
			continue
		}
		t := translation{context: rec[ctxCol], text: rec[last], line: line}
		if src >= 0 {
			t.source = rec[src]
		}
		out = append(out, t)
	}
	if len(errs) > 0 {
		return "", nil, fmt.Errorf("%d problem(s) in %s, nothing written:\n%s", len(errs), path, strings.Join(errs, "\n"))
	}
	return lang, out, nil
}
