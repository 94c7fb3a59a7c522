package scheduler

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestAddMonthsClampsTheDay(t *testing.T) {
	tests := []struct {
		from   string
		months int
		want   string
	}{
		{"2025-01-31", 1, "2025-02-28"},
		{"2024-01-31", 1, "2024-02-29"},
		{"2025-03-31", 1, "2025-04-30"},
		{"2025-01-15", 1, "2025-02-15"},
		{"2025-12-15", 1, "2026-01-15"},
		{"2025-08-31", 6, "2026-02-28"},
		{"2025-02-28", 12, "2026-02-28"},
		{"2024-02-29", 12, "2025-02-28"},
		{"2025-05-10", 0, "2025-05-10"},
		{"2025-03-31", -1, "2025-02-28"},
		{"2025-01-10", -1, "2024-12-10"},
		{"2025-01-10", -13, "2023-12-10"},
	}
	for _, tt := range tests {
		if got := addMonths(day(tt.from), tt.months).Format(time.DateOnly); got != tt.want {
			t.Errorf("%s + %d months = %s, want %s", tt.from, tt.months, got, tt.want)
		}
	}
}

// TestReturnDatesDueIn compares the computed ranges with a brute force over
// every return date of several years.
func TestReturnDatesDueIn(t *testing.T) {
	for _, m := range []int{0, 1, 3, 6, 9, 12, 13} {
		for after := day("2024-01-25"); after.Before(day("2025-04-05")); after = after.AddDate(0, 0, 3) {
			for _, span := range []int{1, 3, 20} {
				through := after.AddDate(0, 0, span)
				lo, hi, ok := returnDatesDueIn(m, after, through)
				for r := day("2022-06-01"); r.Before(day("2025-06-01")); r = r.AddDate(0, 0, 1) {
					due := addMonths(r, m)
					in := due.After(after) && !due.After(through)
					got := ok && !r.Before(lo) && !r.After(hi)
					if in != got {
						t.Fatalf("month %d, (%s, %s]: return date %s due %s: in=%v, range [%s, %s] ok=%v",
							m, after.Format(time.DateOnly), through.Format(time.DateOnly), r.Format(time.DateOnly),
							due.Format(time.DateOnly), in, lo.Format(time.DateOnly), hi.Format(time.DateOnly), ok)
					}
				}
			}
		}
	}
}

func TestValidateCampaigns(t *testing.T) {
	good := []Campaign{{FlowID: "project", Months: []int{1, 2, 3}}, {FlowID: "satisfaction", Months: []int{12}}}
	if err := validateCampaigns(good); err != nil {
		t.Fatal(err)
	}
	for name, cs := range map[string][]Campaign{
		"no flow id":        {{FlowID: "", Months: []int{1}}},
		"twice":             {{FlowID: "a", Months: []int{1}}, {FlowID: "a", Months: []int{2}}},
		"no months":         {{FlowID: "a", Months: nil}},
		"not in order":      {{FlowID: "a", Months: []int{3, 1}}},
		"repeated":          {{FlowID: "a", Months: []int{1, 1}}},
		"negative":          {{FlowID: "a", Months: []int{-1}}},
		"unknown attribute": {{FlowID: "a", Months: []int{1}, Eligible: map[string][]string{"colour": {"blue"}}}},
		"no values":         {{FlowID: "a", Months: []int{1}, Eligible: map[string][]string{"sector": nil}}},
	} {
		if err := validateCampaigns(cs); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}
