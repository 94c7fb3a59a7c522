package scheduler

import (
	"testing"
	"time"
)

func TestRetentionMonthsStated(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"24m", 24}, {"2y", 24}, {"730d", 25}, {"720d", 24}, {"17520h", 25}, {"30d", 1}, {"31d", 2},
	} {
		r, err := ParseRetention(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if got := r.MonthsStated(); got != tc.want {
			t.Errorf("%s: %d months stated, want %d", tc.in, got, tc.want)
		}
	}
	if (Retention{Duration: 36 * time.Hour}).MonthsStated() != 1 {
		t.Error("a day and a half must state one month")
	}
}
