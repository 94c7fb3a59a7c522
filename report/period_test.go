package report

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	now := time.Date(2018, 7, 15, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ in, from, to string }{
		{"2018Q2", "2018-04-01", "2018-06-30"},
		{"2018-q4", "2018-10-01", "2018-12-31"},
		{"2018-02", "2018-02-01", "2018-02-28"},
		{"2016", "2016-01-01", "2016-12-31"},
		{"", "2018-04-01", "2018-06-30"}, // the last complete quarter
	} {
		p, err := ParsePeriod(tc.in, now)
		if err != nil || day(p.From) != tc.from || day(p.To) != tc.to {
			t.Errorf("ParsePeriod(%q) = %s..%s, %v; want %s..%s", tc.in, day(p.From), day(p.To), err, tc.from, tc.to)
		}
	}
	if p := LastQuarter(time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)); day(p.From) != "2018-10-01" || day(p.To) != "2018-12-31" {
		t.Errorf("last quarter on 01/01/2019: %s..%s", day(p.From), day(p.To))
	}
	for _, bad := range []string{"2018Q5", "2018-13", "Q2", "next"} {
		if _, err := ParsePeriod(bad, now); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("ParsePeriod(%q): %v", bad, err)
		}
	}
}

// Counts of 1 to 4 and figures over fewer than 5 people become null and are
// listed, with a second part of a total when only one part would be hidden;
// zero and larger figures stay.
func TestSuppress(t *testing.T) {
	f := &Factsheet{}
	f.YearToDate.Assisted = Count{N: 12}
	f.YearToDate.Female = Count{N: 4}
	f.YearToDate.Male = Count{N: 0}
	f.YearToDate.AverageAge = Stat{Value: 31, Valid: true, Base: 12}
	f.YearToDate.HostCountries = []CodeCount{{Code: "IT", Count: Count{N: 9}}, {Code: "CY", Count: Count{N: 1}}}
	f.Period.Assistance = map[string]Count{"material": {N: 2}, "training": {N: 7}}
	f.FollowUp.Breakdown = map[string]map[string]*Indicators{"sex": {"F": {Wellbeing: Wellbeing{WHO5Mean: Stat{Value: 40, Valid: true, Base: 3}}}}}
	got := Suppress(f)
	// IT is hidden with CY: the other host countries and the total would
	// give CY away.
	want := []string{"follow_up.breakdown.sex.F.wellbeing.who5_mean", "period.assistance.material", "year_to_date.female",
		"year_to_date.host_countries.CY", "year_to_date.host_countries.IT"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("suppressed %v, want %v", got, want)
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"assisted":12`, `"female":null`, `"male":0`, `"average_age":31`,
		`{"code":"CY","count":null,"suppressed":true}`, `{"code":"IT","count":null,"suppressed":true}`, `"material":null`, `"training":7`, `"who5_mean":null`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("JSON lacks %s:\n%s", s, b)
		}
	}
}
