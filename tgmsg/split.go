package tgmsg

import (
	"strings"
	"unicode/utf8"
)

// MaxTextLen is Telegram's limit for one message's text, in characters.
const MaxTextLen = 4096

// SplitText cuts text into parts of at most limit characters, preferring
// paragraph breaks, then line breaks, then spaces, and only as a last resort
// the middle of a word.
func SplitText(text string, limit int) []string {
	var parts []string
	for utf8.RuneCountInString(text) > limit {
		head := PrefixRunes(text, limit)
		cut := -1
		for _, sep := range []string{"\n\n", "\n", " "} {
			if i := strings.LastIndex(head, sep); i > 0 {
				cut = i
				break
			}
		}
		if cut < 0 {
			parts = append(parts, head)
			text = text[len(head):]
			continue
		}
		parts = append(parts, strings.TrimRight(head[:cut], " \n"))
		text = strings.TrimLeft(text[cut:], " \n")
	}
	if strings.TrimSpace(text) != "" || len(parts) == 0 {
		parts = append(parts, text)
	}
	return parts
}

// PrefixRunes returns the first n characters of s.
func PrefixRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
