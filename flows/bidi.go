package flows

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Unicode directional isolates: text between them is laid out on its own, so a
// number, a range or a Latin word inside Arabic text keeps its order.
const (
	fsi = '\u2068' // first strong isolate
	pdi = '\u2069' // pop directional isolate
)

// Isolate wraps s in first-strong isolate marks when lang is Arabic, so that a
// number, date or Latin fragment inserted into Arabic text does not break the
// line's order; for other languages s is returned as is.
func Isolate(lang, s string) string {
	if lang != "ar" || s == "" {
		return s
	}
	return string(fsi) + s + string(pdi)
}

// FormatNumber writes v for a returnee: thousands grouped the local way (a
// narrow no-break space in French, a comma in English and Arabic), at most two
// decimals, isolated in Arabic text.
func FormatNumber(lang string, v float64) string {
	neg := v < 0
	v = math.Abs(v)
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if v != math.Trunc(v) {
		s = strconv.FormatFloat(v, 'f', 2, 64)
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	intPart, frac, _ := strings.Cut(s, ".")
	sep, dec := ",", "."
	if lang == "fr" {
		sep, dec = "\u202f", ","
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(dec + frac)
	}
	return Isolate(lang, b.String())
}

// checkBidi reports, for an Arabic text, a number or Latin fragment that is
// not inside directional isolates ("" when all is well). Format verbs such as
// %s and placeholders such as {emergency_contacts} are filled in later and
// are not checked.
func checkBidi(s string) string {
	depth := 0
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\u2066' || r == '\u2067' || r == fsi:
			depth++
		case r == pdi:
			if depth > 0 {
				depth--
			}
		case depth > 0:
		case r == '%':
			i = skipVerb(rs, i)
		case r == '{':
			if j := indexRune(rs[i:], '}'); j > 0 {
				i += j
			}
		case r < 128 && (unicode.IsDigit(r) || unicode.IsLetter(r)),
			unicode.In(r, unicode.Latin) && unicode.IsLetter(r):
			end := i
			for end < len(rs) && rs[end] != ' ' && rs[end] != '\n' {
				end++
			}
			return fmt.Sprintf("%q is not isolated", string(rs[i:end]))
		}
	}
	return ""
}

// skipVerb returns the index of the last rune of the format verb starting at
// rs[i] == '%'.
func skipVerb(rs []rune, i int) int {
	for j := i + 1; j < len(rs); j++ {
		r := rs[j]
		if r == '%' && j == i+1 {
			return j
		}
		if unicode.IsLetter(r) {
			return j
		}
		if !(unicode.IsDigit(r) || strings.ContainsRune("[].+-# ", r)) {
			return j - 1
		}
	}
	return len(rs) - 1
}

func indexRune(rs []rune, r rune) int {
	for i, x := range rs {
		if x == r {
			return i
		}
	}
	return -1
}
