package cards

import "testing"

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
		"سلام":                "\uFEE1\uFEFC\uFEB3",
		"(لا)":                "(\uFEFB)",
		"صالح حتى 15/03/2026": "15/03/2026 \uFEF0\uFE98\uFEA3 \uFEA2\uFEDF\uFE8E\uFEBB",
		"عبر Telegram اليوم":  "\uFEE1\uFEEE\uFEF4\uFEDF\uFE8D Telegram \uFEAE\uFE92\uFECB",
	}
	for in, want := range cases {
		if got := Visual(in); got != want {
			t.Errorf("Visual(%q) = %U, want %U", in, []rune(got), []rune(want))
		}
	}
}
