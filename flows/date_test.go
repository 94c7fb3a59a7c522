package flows

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	casablanca, err := time.LoadLocation("Africa/Casablanca")
	if err != nil {
		t.Fatalf("time zone database: %v (install tzdata)", err)
	}
	now := time.Date(2026, 5, 20, 14, 0, 0, 0, casablanca)
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"2026-03-15", "2026-03-15", true},
		{"15/03/2026", "2026-03-15", true},
		{"15-03-2026", "2026-03-15", true},
		{"15.03.2026", "2026-03-15", true},
		{"15 03 2026", "2026-03-15", true},
		{"5/3/2026", "2026-03-05", true},
		{" 15/03/2026. ", "2026-03-15", true},
		{"15/03/26", "2026-03-15", true},
		{"15/03/98", "1998-03-15", true},
		{"15/03", "2026-03-15", true},
		{"١٥/٠٣/٢٠٢٦", "2026-03-15", true},
		{"۱۵/۰۳/۲۰۲۶", "2026-03-15", true},
		{"29/02/2028", "2028-02-29", true},
		{"29/02/2026", "", false}, // not a leap year
		{"31/04/2026", "", false},
		{"32/01/2026", "", false},
		{"15/13/2026", "", false},
		{"2026/15/03", "", false},
		{"15/03/2026/1", "", false},
		{"15/03-2026", "", false},
		{"mars 2026", "", false},
		{"", "", false},
		{"015/03/2026", "", false},
		{"15/03/1800", "", false},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, now)
		if (err == nil) != tt.ok {
			t.Errorf("ParseDate(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && (got.Format("2006-01-02") != tt.want || got.Location() != casablanca || got.Hour() != 0) {
			t.Errorf("ParseDate(%q) = %v, want %s at midnight in Casablanca", tt.in, got, tt.want)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-03-15", "15/03/2026", "15-03-2026", "15.03.2026", "١٥/٠٣/٢٠٢٦", "15/03", "29/02/2028"} {
		f.Add(s)
	}
	now := time.Date(2026, 5, 20, 14, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s, now)
		if err != nil {
			return
		}
		if d.Year() < 1900 || d.Year() > 2200 {
			t.Fatalf("ParseDate(%q) = %v, outside 1900..2200", s, d)
		}
		for _, layout := range []string{"2006-01-02", "02/01/2006"} {
			back, err := ParseDate(d.Format(layout), now)
			if err != nil || !back.Equal(d) {
				t.Fatalf("ParseDate(%q) = %v, but %q reads back as %v, %v", s, d, d.Format(layout), back, err)
			}
		}
	})
}

func TestFormatDateDayFirst(t *testing.T) {
	if got := FormatDate(time.Date(2026, 3, 15, 23, 0, 0, 0, time.UTC)); got != "15/03/2026" {
		t.Errorf("FormatDate = %q, want 15/03/2026", got)
	}
}

func TestRemainingQuestionsMakeTheReminderDuration(t *testing.T) {
	def := flow(t, "reintegration_survey")
	st := Start(def, "ar", testEnv()).State
	if n := def.Remaining(st); n != 16 {
		t.Fatalf("remaining at start %d, want 16", n)
	}
	for _, q := range def.Questions[:13] {
		st = Step(def, st, press(q.ID, q.Options[0].Value), testEnv()).State
	}
	n := def.Remaining(st)
	if n != 3 || DefaultTexts().Get("ar", "reminder", DefaultTexts().Duration("ar", Minutes(n))) != "تذكير صغير: هناك متابعة في انتظارك. تأخذ حوالي دقيقة واحدة." {
		t.Errorf("3 questions left: remaining %d, reminder %q", n, DefaultTexts().Get("ar", "reminder", DefaultTexts().Duration("ar", Minutes(n))))
	}
}
