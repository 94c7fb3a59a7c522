package arabic

import (
	"slices"
	"testing"
)

func TestShape(t *testing.T) {
	cases := map[string]string{
		"سلام":     "\uFEB3\uFEFC\uFEE1",       // initial sin, final lam-alef, isolated mim
		"لا":       "\uFEFB",                   // isolated lam-alef
		"بيت":      "\uFE91\uFEF4\uFE96",       // initial, medial, final
		"دار":      "\uFEA9\uFE8D\uFEAD",       // letters that join only before: all isolated
		"مَن":      "\uFEE3\u064E\uFEE6",       // a haraka does not break the join
		"ب ب":      "\uFE8F \uFE8F",            // a space does
		"عودة":     "\uFECB\uFEEE\uFEA9\uFE93", // ع initial, و final, د isolated, ة isolated
		"تيليغرام": "\uFE97\uFEF4\uFEE0\uFEF4\uFED0\uFEAE\uFE8D\uFEE1",
	}
	for in, want := range cases {
		if got := Shape(in); got != want {
			t.Errorf("Shape(%q) = %U, want %U", in, []rune(got), []rune(want))
		}
	}
}

func TestVisual(t *testing.T) {
	cases := map[string]string{
		"سلام":                      "\uFEE1\uFEFC\uFEB3",
		"(لا)":                      "(\uFEFB)",
		"صالح حتى 15/03/2026":       "15/03/2026 \uFEF0\uFE98\uFEA3 \uFEA2\uFEDF\uFE8E\uFEBB",
		"عبر Telegram اليوم":        "\uFEE1\uFEEE\uFEF4\uFEDF\uFE8D Telegram \uFEAE\uFE92\uFECB",
		"من <5 إلى 7":               "7 \uFEF0\uFEDF\uFE87 <5 \uFEE6\uFEE3", // "<5" reads as the bot's texts show it
		"PHQ-2 ≥ 3 لا":              "\uFEFB 3 ≤ PHQ-2",                     // a comparison sign is mirrored, like a bracket
		"ب: 2.5 / 10.0 (3)":         "(3) 10.0 / 2.5 :\uFE8F",
		"مَن":                       "\uFEE6\uFEE3\u064E",          // the fatha stays after its mim, drawn over it
		"ب: L'histoire de N. F.":    ".L'histoire de N. F :\uFE8F", // Latin words stay together, the final stop ends the line
		"ب 01/04/2018 – 30/06/2018": "30/06/2018 – 01/04/2018 \uFE8F",
	}
	for in, want := range cases {
		if got := Visual(in); got != want {
			t.Errorf("Visual(%q) = %U, want %U", in, []rune(got), []rune(want))
		}
	}
}

func TestIsRTL(t *testing.T) {
	for s, want := range map[string]bool{"نساء": true, "Femmes": false, "<5": false, "62 %": false, "\uFEFB": true, "IT 14، GR 7": true} {
		if got := IsRTL(s); got != want {
			t.Errorf("IsRTL(%q) = %v", s, got)
		}
	}
}

// Wrap keeps words in reading order across lines: the first words of the
// sentence are on the first line, each line in display order.
func TestWrap(t *testing.T) {
	width := func(s string) float64 { return float64(len([]rune(s))) }
	got := Wrap("بعض الأسئلة كل شهر بعد عودتكم", 14, width)
	want := []string{Visual("بعض الأسئلة كل"), Visual("شهر بعد عودتكم")}
	if !slices.Equal(got, want) {
		t.Errorf("Wrap = %q, want %q", got, want)
	}
	if got := Wrap("كلمةطويلةجدا قصيرة", 4, width); len(got) != 2 || got[0] != Visual("كلمةطويلةجدا") {
		t.Errorf("a word wider than the line: %q", got)
	}
	if got := Wrap("  ", 10, width); len(got) != 0 {
		t.Errorf("blank text gave %q", got)
	}
}
