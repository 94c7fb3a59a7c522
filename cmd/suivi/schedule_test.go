package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// The preview of the fixture's returnees: the project check-in only for
// micro-project holders, flows of one month two days apart and never two
// on one day, each with its number of questions, and the month's total.
func TestSchedulePreview(t *testing.T) {
	c := newCLI(t)
	c.addFixtureStaff(t)
	c.must(t, "returnees", "import", fixtureCSV)
	line := regexp.MustCompile(`^(\d{4}-\d\d-\d\d) \d\d:\d\d \S+  (\S+)  month (\d+)  (\S+)  up to (\d+) questions$`)

	// MA-2018-0009 holds a micro-project; MA-2018-0001 has no assistance.
	for ref, holder := range map[string]bool{"MA-2018-0009": true, "MA-2018-0001": false} {
		out := c.must(t, "schedule", "preview", "--ref", ref, "--limit", "40")
		var last time.Time
		flows := map[string]int{}
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if strings.HasPrefix(l, "  month ") {
				if !strings.Contains(l, "check-ins, on ") || !strings.Contains(l, "questions") {
					t.Errorf("%s: month summary %q", ref, l)
				}
				continue
			}
			m := line.FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("%s: preview line %q", ref, l)
			}
			day, _ := time.Parse(time.DateOnly, m[1])
			if !last.IsZero() && day.Sub(last) < 48*time.Hour {
				t.Errorf("%s: %q within two days of the check-in before", ref, l)
			}
			last = day
			flows[m[2]]++
			if m[5] == "0" {
				t.Errorf("%s: %q without questions", ref, l)
			}
		}
		if holder && flows["project_checkin"] == 0 {
			t.Errorf("%s holds a micro-project but gets no project check-in:\n%s", ref, out)
		}
		if !holder && flows["project_checkin"] != 0 {
			t.Errorf("%s has no micro-project but gets the project check-in:\n%s", ref, out)
		}
		if flows["wellbeing"] == 0 || flows["reintegration_survey"] == 0 {
			t.Errorf("%s: everyone gets wellbeing and the reintegration survey:\n%s", ref, out)
		}
	}
}
