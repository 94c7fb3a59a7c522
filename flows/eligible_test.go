package flows

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// eligibleFlow is a small valid flow whose schedule block is given.
func eligibleFlow(schedule string) string {
	return `id: elig
version: 1
title: {fr: Titre, ar: عنوان, en: Title}
schedule: ` + schedule + `
questions:
  - id: q1
    type: yesno
    text: {fr: Question, ar: سؤال, en: Question}
`
}

func TestEligibleDecodes(t *testing.T) {
	c, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.Latest("project_checkin")
	if got := d.Schedule.Eligible["assistance"]; !slices.Equal(got, []string{"microproject"}) || len(d.Schedule.Eligible) != 1 {
		t.Errorf("project_checkin eligible = %v, want assistance: [microproject]", d.Schedule.Eligible)
	}
	for _, id := range []string{"wellbeing", "reintegration_survey", "satisfaction"} {
		if d, _ := c.Latest(id); len(d.Schedule.Eligible) != 0 {
			t.Errorf("%s is limited to %v; it goes to everyone", id, d.Schedule.Eligible)
		}
	}
	fsys := fstest.MapFS{"elig.yaml": {Data: []byte(eligibleFlow(
		`{trigger: return, months: [1], eligible: {sector: [agriculture, commerce], sex: F}}`))}}
	cat, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	d, _ = cat.Latest("elig")
	if !slices.Equal(d.Schedule.Eligible["sector"], []string{"agriculture", "commerce"}) || !slices.Equal(d.Schedule.Eligible["sex"], []string{"F"}) {
		t.Errorf("eligible = %v", d.Schedule.Eligible)
	}
}

func TestLintEligible(t *testing.T) {
	tests := []struct{ schedule, want string }{
		{`{trigger: return, months: [1], eligible: {colour: blue}}`, `eligible: unknown attribute "colour"`},
		{`{trigger: return, months: [1], eligible: {assistance: []}}`, `eligible: assistance has no value`},
		{`{trigger: return, months: [1], eligible: {assistance: ""}}`, `eligible: assistance has an empty value`},
		{`{trigger: manual, eligible: {assistance: microproject}}`, `eligible only goes with trigger return`},
		{`{trigger: return, months: [1], eligible: {assistance: {a: b}}}`, `expected a list`},
	}
	for _, tt := range tests {
		ps := Lint(fstest.MapFS{"elig.yaml": {Data: []byte(eligibleFlow(tt.schedule))}})
		found := false
		for _, p := range ps {
			found = found || strings.Contains(p.Message, tt.want)
			if p.Fix == "" {
				t.Errorf("%s: problem %s has no fix", tt.schedule, p)
			}
		}
		if !found {
			t.Errorf("%s: problems %v, want one saying %q", tt.schedule, ps, tt.want)
		}
	}
	if ps := Lint(fstest.MapFS{"elig.yaml": {Data: []byte(eligibleFlow(`{trigger: return, months: [1], eligible: {assistance: [microproject, training]}}`))}}); len(ps) != 0 {
		t.Errorf("a valid eligibility got problems: %v", ps)
	}
}
