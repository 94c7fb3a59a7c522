package tgmsg

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitText(t *testing.T) {
	para := strings.Repeat("mot ", 600) // 2400 characters
	arabic := strings.Repeat("كلمة ", 1000)
	cases := []struct {
		name  string
		text  string
		parts int
	}{
		{"short", "Bonjour", 1},
		{"exactly the limit", strings.Repeat("a", MaxTextLen), 1},
		{"paragraphs", para + "\n\n" + para + "\n\n" + para, 3},
		{"words", strings.Repeat("word ", 2000), 3},
		{"one long word", strings.Repeat("x", 9000), 3},
		{"arabic counts characters not bytes", arabic, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parts := SplitText(c.text, MaxTextLen)
			if len(parts) != c.parts {
				t.Fatalf("got %d parts, want %d", len(parts), c.parts)
			}
			joined := strings.Join(parts, "")
			for i, p := range parts {
				if n := utf8.RuneCountInString(p); n > MaxTextLen || n == 0 {
					t.Fatalf("part %d has %d characters", i, n)
				}
				if i < len(parts)-1 && strings.HasSuffix(p, " ") {
					t.Fatalf("part %d ends with a space", i)
				}
			}
			if strings.ReplaceAll(strings.ReplaceAll(joined, " ", ""), "\n", "") !=
				strings.ReplaceAll(strings.ReplaceAll(c.text, " ", ""), "\n", "") {
				t.Fatal("splitting lost or changed text")
			}
		})
	}
}
