// Package enrol reads and checks what a case worker enrols: returnees from a
// CSV export or from command-line flags, the same checks for both, turned
// into storage.ReturneeInput. It reports every problem at once, each with its
// line and field, so a file is fixed in one pass.
package enrol

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"suivi/storage"
)

// Columns of the import file, in the fixtures' order; a file may order them
// as it likes. Required columns need a value on every row.
var (
	Columns         = []string{"ref", "sex", "birth_date", "return_date", "host_country", "region", "programme", "assistance", "sector", "vulnerabilities", "caseworker"}
	RequiredColumns = []string{"ref", "sex", "birth_date", "return_date", "host_country", "region", "programme", "caseworker"}
)

// ReasonUnknownStaff is the problem of a case worker handle with no staff
// row; Result.UnknownCaseworkers collects those handles.
const ReasonUnknownStaff = "no staff with that handle; add them first with suivi staff add"

// Sectors are the micro-project sectors the factsheet counts.
var Sectors = []string{"agriculture", "services", "commerce"}

// Fields is one returnee as text, keyed by column name; a missing key is empty.
type Fields map[string]string

// Problem is one thing wrong with an input, precise enough to fix it.
type Problem struct {
	Line   int    // line in the file; 0 for command-line input
	Field  string // column name; empty when the whole row is wrong
	Value  string
	Reason string
	place  string // where Line is, as the file's software shows it: "line 7", `sheet "Feuil1" row 7`
}

// Message states the problem naming the field as name (a column or a flag).
func (p Problem) Message(name string) string {
	switch {
	case name == "":
		return p.Reason
	case p.Value == "":
		return fmt.Sprintf("%s: %s", name, p.Reason)
	default:
		return fmt.Sprintf("%s %q: %s", name, p.Value, p.Reason)
	}
}

// Error reads like `line 7: sex "X": expected F or M`, or for a workbook
// `sheet "Feuil1" row 7: sex "X": expected F or M`.
func (p Problem) Error() string {
	if p.place != "" {
		return fmt.Sprintf("%s: %s", p.place, p.Message(p.Field))
	}
	if p.Line > 0 {
		return fmt.Sprintf("line %d: %s", p.Line, p.Message(p.Field))
	}
	return p.Message(p.Field)
}

// Checker validates one returnee's fields against the clock and the staff.
type Checker struct {
	Now         time.Time       // today is Now's date in Now's location
	Caseworkers map[string]bool // handles of existing staff
}

var (
	refPattern     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$`)
	countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)
	wordPattern    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
	oldestBirth    = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
)

// maxText bounds free-text fields such as the region.
const maxText = 200

// Check validates fields and returns the input to store, or every problem.
func (c Checker) Check(f Fields) (storage.ReturneeInput, []Problem) {
	var ps []Problem
	flagged := map[string]bool{}
	bad := func(field, reason string) {
		flagged[field] = true
		ps = append(ps, Problem{Field: field, Value: f[field], Reason: reason})
	}
	for _, col := range Columns {
		v := f[col]
		switch {
		case !utf8.ValidString(v):
			flagged[col] = true
			ps = append(ps, Problem{Field: col, Value: strings.ToValidUTF8(v, "\uFFFD"), Reason: "not valid UTF-8 (save the file as UTF-8)"})
		case strings.IndexFunc(v, unicode.IsControl) >= 0:
			bad(col, "contains control characters")
		case utf8.RuneCountInString(v) > maxText:
			flagged[col] = true
			ps = append(ps, Problem{Field: col, Reason: fmt.Sprintf("longer than %d characters", maxText)})
		case v == "" && slices.Contains(RequiredColumns, col):
			bad(col, "required")
		}
	}
	check := func(field string, ok bool, reason string) {
		if !flagged[field] && !ok {
			bad(field, reason)
		}
	}
	in := storage.ReturneeInput{
		Ref: f["ref"], Sex: f["sex"], HostCountry: f["host_country"],
		Region: f["region"], Programme: f["programme"], Sector: f["sector"],
		CaseworkerHandle: f["caseworker"],
	}
	check("ref", refPattern.MatchString(in.Ref), "expected letters, digits, '-', '_', '.' or '/' (at most 64), like MA-2018-0001")
	check("sex", in.Sex == "F" || in.Sex == "M", "expected F or M")
	birth, birthErr := time.Parse(time.DateOnly, f["birth_date"])
	ret, retErr := time.Parse(time.DateOnly, f["return_date"])
	in.BirthDate, in.ReturnDate = birth, ret
	const isoDate = "expected an ISO date YYYY-MM-DD, like 2018-04-21"
	check("birth_date", birthErr == nil, isoDate)
	check("return_date", retErr == nil, isoDate)
	today := dateOf(c.Now)
	check("birth_date", !birth.Before(oldestBirth), "before 1900")
	check("return_date", !ret.After(today), fmt.Sprintf("in the future (today is %s)", today.Format(time.DateOnly)))
	check("birth_date", flagged["return_date"] || birth.Before(ret), "must be before return_date "+f["return_date"])
	check("host_country", countryPattern.MatchString(in.HostCountry), "expected two uppercase letters (ISO 3166-1 alpha-2), like IT")
	const wordList = `expected lowercase words separated by ";", like material;microproject`
	var assistOK, vulnOK bool
	in.Assistance, assistOK = words(f["assistance"])
	in.Vulnerabilities, vulnOK = words(f["vulnerabilities"])
	check("assistance", assistOK, wordList)
	check("vulnerabilities", vulnOK, wordList)
	check("sector", in.Sector == "" || slices.Contains(Sectors, in.Sector), "expected agriculture, services or commerce")
	check("sector", in.Sector != "" || !slices.Contains(in.Assistance, "microproject"),
		"required when assistance includes microproject: agriculture, services or commerce")
	check("caseworker", c.Caseworkers[in.CaseworkerHandle], ReasonUnknownStaff)
	if len(ps) > 0 {
		return storage.ReturneeInput{}, ps
	}
	return in, nil
}

// words splits a ";"-separated list of lowercase words, ignoring blanks and
// repeats, so "material; microproject;" is two words.
func words(v string) ([]string, bool) {
	out := []string{}
	for _, w := range strings.Split(v, ";") {
		w = strings.TrimSpace(w)
		if w == "" || slices.Contains(out, w) {
			continue
		}
		if !wordPattern.MatchString(w) {
			return nil, false
		}
		out = append(out, w)
	}
	return out, true
}

// dateOf is the calendar date of t where t is, at midnight UTC, comparable
// with dates parsed by time.Parse.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
