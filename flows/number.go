package flows

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrNotNumber is returned by ParseNumber for a text that is not one number.
var ErrNotNumber = errors.New("not a number")

// maxNumberLen bounds what ParseNumber reads: nobody types a longer amount.
const maxNumberLen = 64

// ParseNumber reads a number the way returnees type it: "1500", "1 500"
// (also with no-break spaces), "1.500" and "1,500" (a dot or comma followed by
// exactly three digits groups thousands), "1500,50", "1500.5", "1.500,50",
// with a unit around it ("1 500 dh", "1500 MAD", "1500dh", "درهم 200"),
// thousands and millions in words ("2k", "2 mille", "1,5 million", "٣ ألف")
// but not rials (twenty to the dirham: ambiguous), Arabic-Indic ("١٥٠٠") and Eastern ("۱۵۰۰") digits
// and the Arabic decimal and thousands separators ("٫", "٬").
func ParseNumber(s string) (float64, error) {
	if len([]rune(s)) > maxNumberLen {
		return 0, ErrNotNumber
	}
	s = strings.TrimSpace(normalizeDigits(s))
	// A unit before or after the number is ignored; "k" multiplies by 1000.
	first := strings.IndexFunc(s, isNumberRune)
	last := strings.LastIndexFunc(s, isNumberRune)
	if first < 0 {
		return 0, ErrNotNumber
	}
	for first > 0 && (s[first-1] == '.' || s[first-1] == ',') {
		first-- // ".5" and ",5"
	}
	_, size := utf8.DecodeRuneInString(s[last:])
	end := last + size
	core := s[first:end]
	before, after := strings.TrimSpace(s[:first]), strings.TrimSpace(s[end:])
	neg := false
	if rest, ok := strings.CutSuffix(before, "-"); ok {
		neg, before = true, strings.TrimSpace(rest)
	} else if rest, ok := strings.CutSuffix(before, "+"); ok {
		before = strings.TrimSpace(rest)
	}
	if !unitWord(before) || !unitWord(after) || refusedUnit(before) || refusedUnit(after) {
		return 0, ErrNotNumber
	}
	mult := 1.0
	if words := strings.Fields(strings.ToLower(after)); len(words) > 0 {
		if m, ok := multipliers[strings.TrimSuffix(words[0], ".")]; ok {
			mult = m
		}
	}
	plain, ok := plainNumber(core)
	if !ok {
		return 0, ErrNotNumber
	}
	v, err := strconv.ParseFloat(plain, 64)
	if err != nil || math.IsInf(v*mult, 0) {
		return 0, ErrNotNumber
	}
	v *= mult
	if neg && v != 0 {
		v = -v
	}
	return v, nil
}

// multipliers are words after a number that scale it: "2k", "2 mille",
// "1,5 million", "٣ ألف".
var multipliers = map[string]float64{
	"k": 1e3, "mille": 1e3, "ألف": 1e3, "الف": 1e3, "آلاف": 1e3,
	"million": 1e6, "millions": 1e6, "مليون": 1e6, "ملايين": 1e6,
}

// refusedUnit reports a unit that would silently give a wrong amount: in
// Morocco an amount in rials (ryals) is twenty times the amount in dirhams,
// so it is better to ask again.
func refusedUnit(s string) bool {
	for _, w := range strings.Fields(strings.ToLower(s)) {
		switch strings.TrimSuffix(w, ".") {
		case "ryal", "ryals", "rial", "rials", "riyal", "ريال", "ريالات", "فرنك", "franc", "francs":
			return true
		}
	}
	return false
}

// Marks standing for the Arabic separators once normalized.
const (
	arabicDecimal   = '\ue000'
	arabicThousands = '\ue001'
)

// normalizeDigits turns Arabic-Indic and Eastern digits into ASCII, the Arabic
// separators into marks the number reader knows, every kind of space into a
// plain one, and drops directional marks.
func normalizeDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '٠' && r <= '٩':
			b.WriteRune('0' + r - '٠')
		case r >= '۰' && r <= '۹':
			b.WriteRune('0' + r - '۰')
		case r == '٫':
			b.WriteRune(arabicDecimal)
		case r == '٬':
			b.WriteRune(arabicThousands)
		case r == '\u00a0' || r == '\u202f' || r == '\u2009' || r == '\u2007' || r == '\t':
			b.WriteRune(' ')
		case r == '\u2212' || r == '\u2013':
			b.WriteRune('-')
		case r == '\u200e' || r == '\u200f' || r == '\u061c' || r >= '\u2066' && r <= '\u2069' || r >= '\u202a' && r <= '\u202e':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isNumberRune(r rune) bool {
	return r >= '0' && r <= '9' || r == arabicDecimal || r == arabicThousands
}

// unitWord reports whether s can be a unit next to a number ("dh", "MAD",
// "درهم", "€"): letters, currency signs, spaces and dots only.
func unitWord(s string) bool {
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Sc, r) || r == ' ' || r == '.') {
			return false
		}
	}
	return true
}

// plainNumber rewrites "1 500,50" style into "1500.50" for strconv, or says
// the grouping makes no sense.
func plainNumber(s string) (string, bool) {
	dec := -1
	switch {
	case strings.ContainsRune(s, arabicDecimal):
		if strings.Count(s, string(arabicDecimal)) > 1 {
			return "", false
		}
		dec = strings.IndexRune(s, arabicDecimal)
	case strings.ContainsRune(s, '.') && strings.ContainsRune(s, ','):
		// Both: the one used last is the decimal separator.
		dec = strings.LastIndexAny(s, ".,")
	case strings.Count(s, ".") == 1 || strings.Count(s, ",") == 1:
		// One separator: thousands if three digits follow and what comes
		// before is a group start, as in "1.500" or "12,000"; else decimal.
		i := strings.LastIndexAny(s, ".,")
		head, tail := s[:i], s[i+1:]
		thousands := len(tail) == 3 && allDigits(tail) && allDigits(head) && len(head) <= 3 && strings.TrimLeft(head, "0") != ""
		if !thousands {
			dec = i
		}
	}
	intPart, frac := s, ""
	if dec >= 0 {
		_, n := utf8.DecodeRuneInString(s[dec:])
		intPart, frac = s[:dec], s[dec+n:]
		if !allDigits(frac) {
			return "", false
		}
	}
	digits, ok := ungroup(intPart)
	if !ok {
		return "", false
	}
	if frac != "" {
		digits += "." + frac
	}
	return digits, true
}

// ungroup removes thousands separators from an integer part, checking them:
// one kind of separator, the first group of 1 to 3 digits, the others of
// exactly 3. An empty integer part (",5") reads as 0.
func ungroup(s string) (string, bool) {
	if s == "" {
		return "0", true
	}
	if allDigits(s) {
		return s, true
	}
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	sep, _ := utf8.DecodeRuneInString(s[i:])
	if sep != ' ' && sep != '.' && sep != ',' && sep != arabicThousands {
		return "", false
	}
	groups := strings.Split(s, string(sep))
	for i, g := range groups {
		if !allDigits(g) || i == 0 && len(g) > 3 || i > 0 && len(g) != 3 {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
