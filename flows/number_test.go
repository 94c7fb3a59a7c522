package flows

import (
	"strconv"
	"strings"
	"testing"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1500", 1500, true},
		{"  1500  ", 1500, true},
		{"0", 0, true},
		{"1 500", 1500, true},
		{"1\u00a0500", 1500, true},       // no-break space
		{"1\u202f500", 1500, true},       // narrow no-break space
		{"1 500 000", 1500000, true},     // several groups
		{"1.500", 1500, true},            // thousands dot
		{"1.500.000", 1500000, true},     // several thousands dots
		{"1,500", 1500, true},            // thousands comma
		{"12,000", 12000, true},          // thousands comma
		{"1500,50", 1500.5, true},        // decimal comma
		{"1500.5", 1500.5, true},         // decimal dot
		{"1.5", 1.5, true},               // not three digits: decimal
		{"1.50", 1.5, true},              // not three digits: decimal
		{"0.500", 0.5, true},             // a leading 0 never groups thousands
		{"1500.500", 1500.5, true},       // four digits before: decimal
		{"1.500,50", 1500.5, true},       // both: the last is decimal
		{"1,500.50", 1500.5, true},       // both: the last is decimal
		{"1 500,50", 1500.5, true},       // space groups, comma decimal
		{",5", 0.5, true},                // no integer part
		{"1 500 dh", 1500, true},         // unit after
		{"1500 MAD", 1500, true},         // unit after
		{"1500dh", 1500, true},           // unit stuck to it
		{"1.500 dh", 1500, true},         // the spec's example
		{"1500 DH.", 1500, true},         // unit with a dot
		{"درهم 200", 200, true},          // Arabic unit before
		{"200 درهم", 200, true},          // Arabic unit after
		{"1500€", 1500, true},            // currency sign
		{"2k", 2000, true},               // thousands
		{"2 mille", 2000, true},          // thousands in words
		{"1,5 million", 1500000, true},   // millions in words
		{"٣ ألف درهم", 3000, true},       // thousands in Arabic
		{"1000 ryal", 0, false},          // rials: twenty to the dirham
		{"ريال 1000", 0, false},          // rials in Arabic
		{"١٥٠٠", 1500, true},             // Arabic-Indic digits
		{"۱۵۰۰", 1500, true},             // Eastern Arabic digits
		{"١٬٥٠٠", 1500, true},            // Arabic thousands separator
		{"١٥٠٠٫٥", 1500.5, true},         // Arabic decimal separator
		{"١٬٥٠٠٫٢٥", 1500.25, true},      // both Arabic separators
		{"\u2068١٥٠٠\u2069", 1500, true}, // isolates are dropped
		{"-5", -5, true},
		{"+5", 5, true},
		{"−5", -5, true},    // minus sign
		{"١٥٠٠٫", 0, false}, // a decimal mark with nothing after
		{"", 0, false},
		{"abc", 0, false},
		{"dh", 0, false},
		{"15 00", 0, false},                 // bad grouping
		{"1 5000", 0, false},                // bad grouping
		{"1.2.3", 0, false},                 // bad grouping
		{"1,5,3", 0, false},                 // bad grouping
		{"1500 or 2000", 0, false},          // two numbers
		{"1500-2000", 0, false},             // a range
		{"1.500,50,3", 0, false},            // nonsense
		{"5-", 0, false},                    // sign after
		{"12h30", 0, false},                 // letters inside
		{strings.Repeat("9", 70), 0, false}, // too long to be typed
	}
	for _, tt := range tests {
		got, err := ParseNumber(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		lang string
		v    float64
		want string
	}{
		{"fr", 1000000, "1\u202f000\u202f000"},
		{"en", 1000000, "1,000,000"},
		{"ar", 1000000, "\u20681,000,000\u2069"},
		{"en", 0, "0"},
		{"fr", 1500.5, "1\u202f500,5"},
		{"en", -1234.567, "-1,234.57"},
	}
	for _, tt := range tests {
		if got := FormatNumber(tt.lang, tt.v); got != tt.want {
			t.Errorf("FormatNumber(%s, %v) = %q, want %q", tt.lang, tt.v, got, tt.want)
		}
		// What Suivi writes, it reads back.
		if back, err := ParseNumber(FormatNumber(tt.lang, tt.v)); err != nil || back != roundTo2(tt.v) {
			t.Errorf("ParseNumber(FormatNumber(%s, %v)) = %v, %v", tt.lang, tt.v, back, err)
		}
	}
}

func roundTo2(v float64) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', 2, 64), 64)
	return f
}

// canonical writes v so that ParseNumber must read it back exactly: a dot
// followed by exactly three digits would read as thousands, so a fraction of
// three digits gets a trailing zero.
func canonical(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 && len(s)-i-1 == 3 {
		s += "0"
	}
	return s
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1500", "1 500", "1.500", "1500,50", "1 500 dh", "١٥٠٠", "۱۵۰۰", "١٬٥٠٠٫٥", "-5", "2k", ",5", "1.500,50"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseNumber(s)
		if err != nil {
			return
		}
		if v != v { // NaN
			t.Fatalf("ParseNumber(%q) = NaN", s)
		}
		back, err := ParseNumber(canonical(v))
		if err != nil || back != v {
			t.Fatalf("ParseNumber(%q) = %v, but %q reads back as %v, %v", s, v, canonical(v), back, err)
		}
	})
}
