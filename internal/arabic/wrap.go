package arabic

import "strings"

// Wrap breaks a right-to-left text into lines no wider than width (measure
// gives the width of a line's display form, such as fpdf's
// GetStringWidth): words are kept in reading order, then each line is
// shaped and put in display order by Visual. A word wider than width gets a
// line of its own.
func Wrap(text string, width float64, measure func(string) float64) []string {
	var lines []string
	var cur []string
	for _, word := range strings.Fields(text) {
		next := append(cur, word)
		if len(cur) > 0 && measure(Visual(strings.Join(next, " "))) > width {
			lines = append(lines, Visual(strings.Join(cur, " ")))
			next = []string{word}
		}
		cur = next
	}
	if len(cur) > 0 {
		lines = append(lines, Visual(strings.Join(cur, " ")))
	}
	return lines
}
