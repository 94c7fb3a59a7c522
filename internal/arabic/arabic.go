// Package arabic lays Arabic out for PDF libraries that draw one glyph per
// rune from left to right (github.com/go-pdf/fpdf): contextual letter forms,
// lam-alef ligatures and right-to-left display order. The invitation cards
// and the factsheet use it with the embedded DejaVu Sans font (Font).
package arabic

import (
	"slices"
	"unicode"
)

// fpdf writes glyphs one per rune from left to right, with no shaping: an
// Arabic line would come out as separate letters in reverse order. Visual
// turns a line into what fpdf can draw: each letter replaced by its joined
// form from the Arabic Presentation Forms-B block (which DejaVu Sans has),
// lam-alef as its ligature, and the runes in left-to-right display order.
// It covers the letters of Modern Standard Arabic, not diacritics' placement
// or kashida justification: enough for fixed sentences such as the cards'
// and the factsheet's labels.

// joining is a letter's first presentation form (isolated; final is +1,
// initial +2, medial +3) and whether it joins the letter after it.
type joining struct {
	base rune
	dual bool
}

var letters = map[rune]joining{
	'ء': {0xFE80, false}, 'آ': {0xFE81, false}, 'أ': {0xFE83, false}, 'ؤ': {0xFE85, false},
	'إ': {0xFE87, false}, 'ئ': {0xFE89, true}, 'ا': {0xFE8D, false}, 'ب': {0xFE8F, true},
	'ة': {0xFE93, false}, 'ت': {0xFE95, true}, 'ث': {0xFE99, true}, 'ج': {0xFE9D, true},
	'ح': {0xFEA1, true}, 'خ': {0xFEA5, true}, 'د': {0xFEA9, false}, 'ذ': {0xFEAB, false},
	'ر': {0xFEAD, false}, 'ز': {0xFEAF, false}, 'س': {0xFEB1, true}, 'ش': {0xFEB5, true},
	'ص': {0xFEB9, true}, 'ض': {0xFEBD, true}, 'ط': {0xFEC1, true}, 'ظ': {0xFEC5, true},
	'ع': {0xFEC9, true}, 'غ': {0xFECD, true}, 'ف': {0xFED1, true}, 'ق': {0xFED5, true},
	'ك': {0xFED9, true}, 'ل': {0xFEDD, true}, 'م': {0xFEE1, true}, 'ن': {0xFEE5, true},
	'ه': {0xFEE9, true}, 'و': {0xFEED, false}, 'ى': {0xFEEF, false}, 'ي': {0xFEF1, true},
}

// lamAlef is the isolated ligature of lam followed by each alef (final is +1).
var lamAlef = map[rune]rune{'آ': 0xFEF5, 'أ': 0xFEF7, 'إ': 0xFEF9, 'ا': 0xFEFB}

const tatweel = 'ـ'

// transparent marks (harakat, shadda, sukun) do not break a join.
func transparent(r rune) bool { return r >= 0x064B && r <= 0x0652 || r == 0x0670 }

// joinsAfter tells whether r connects to the letter that follows it.
func joinsAfter(r rune) bool {
	j, ok := letters[r]
	return r == tatweel || ok && j.dual
}

// joinsBefore tells whether r connects to the letter before it.
func joinsBefore(r rune) bool {
	_, ok := letters[r]
	return ok || r == tatweel
}

// Shape replaces Arabic letters by their contextual forms, in logical order.
func Shape(s string) string {
	rs := []rune(s)
	out := make([]rune, 0, len(rs))
	neighbour := func(i, step int) rune {
		for i += step; i >= 0 && i < len(rs); i += step {
			if !transparent(rs[i]) {
				return rs[i]
			}
		}
		return 0
	}
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		j, ok := letters[r]
		if !ok {
			out = append(out, r)
			continue
		}
		before := joinsAfter(neighbour(i, -1))
		if r == 'ل' {
			if next := i + 1; next < len(rs) {
				if lig, ok := lamAlef[rs[next]]; ok {
					if before {
						lig++
					}
					out = append(out, lig)
					i++
					continue
				}
			}
		}
		after := j.dual && joinsBefore(neighbour(i, +1))
		form := j.base
		switch {
		case before && after:
			form += 3
		case after:
			form += 2
		case before:
			form++
		}
		out = append(out, form)
	}
	return string(out)
}

// mirrored pairs swap when a right-to-left run is reversed.
var mirrored = map[rune]rune{'(': ')', ')': '(', '[': ']', ']': '[', '{': '}', '}': '{', '«': '»', '»': '«', '<': '>', '>': '<', '≤': '≥', '≥': '≤'}

// Visual shapes a right-to-left line and puts it in display order: runs of
// Latin letters and numbers (such as 15/03/2026) keep their own order, the
// rest is reversed with brackets and comparison signs mirrored. A figure
// shown as "<5" stays "<5", as the bot's Arabic texts show it.
func Visual(s string) string {
	rs := []rune(Shape(s))
	ltr := func(r rune) bool { return r < 0x0590 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }
	var runs [][]rune
	startsLTR := func(i int) bool {
		return ltr(rs[i]) || (rs[i] == '<' || rs[i] == '>') && i+1 < len(rs) && unicode.IsDigit(rs[i+1])
	}
	for i := 0; i < len(rs); {
		j := i + 1
		if startsLTR(i) {
			// A left-to-right run goes on through a separator between its
			// letters and digits (15/03/2026, t.me/suivi_bot, WHO-5) and
			// through any spaces and punctuation between two Latin words
			// (L'histoire de N. F.), as the Unicode bidirectional algorithm
			// does; between two numbers they read right to left.
			for j < len(rs) {
				if ltr(rs[j]) {
					j++
					continue
				}
				k := j
				for k < len(rs) && !ltr(rs[k]) && !IsRTL(string(rs[k])) && !startsLTR(k) {
					k++
				}
				if k == len(rs) || !ltr(rs[k]) {
					break
				}
				if k == j+1 && slices.Contains([]rune("/.:,-_ "), rs[j]) || unicode.IsLetter(rs[j-1]) && unicode.IsLetter(rs[k]) {
					j = k
					continue
				}
				break
			}
			runs = append(runs, rs[i:j])
		} else {
			for j < len(rs) && !startsLTR(j) {
				j++
			}
			run := reverseClusters(rs[i:j])
			for k, r := range run {
				if m, ok := mirrored[r]; ok {
					run[k] = m
				}
			}
			runs = append(runs, run)
		}
		i = j
	}
	slices.Reverse(runs)
	out := make([]rune, 0, len(rs))
	for _, run := range runs {
		out = append(out, run...)
	}
	return string(out)
}

// reverseClusters reverses a right-to-left run letter by letter, each
// letter's marks (harakat, shadda) kept after it: drawn left to right, a
// mark of zero width then sits over the letter drawn just before it, its
// own.
func reverseClusters(rs []rune) []rune {
	out := make([]rune, 0, len(rs))
	for end := len(rs); end > 0; {
		start := end - 1
		for start > 0 && transparent(rs[start]) {
			start--
		}
		out = append(out, rs[start:end]...)
		end = start
	}
	return out
}

// IsRTL reports whether s holds Arabic letters, and so is a right-to-left
// line that Visual should lay out; figures and Latin text are drawn as they
// are.
func IsRTL(s string) bool {
	for _, r := range s {
		if r >= 0x0600 && r <= 0x06FF || r >= 0xFB50 && r <= 0xFDFF || r >= 0xFE70 && r <= 0xFEFF {
			return true
		}
	}
	return false
}
