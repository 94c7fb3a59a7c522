package enrol_test

import (
	"strings"
	"testing"
	"time"

	"suivi/enrol"
)

var checker = enrol.Checker{
	Now:         time.Date(2018, 7, 15, 23, 30, 0, 0, time.UTC),
	Caseworkers: map[string]bool{"cw.salma": true},
}

func validFields() enrol.Fields {
	return enrol.Fields{
		"ref": "MA-2018-0001", "sex": "F", "birth_date": "1990-03-04", "return_date": "2018-05-06",
		"host_country": "IT", "region": "Oriental", "programme": "AVRR", "assistance": "material; microproject;",
		"sector": "commerce", "vulnerabilities": "", "caseworker": "cw.salma",
	}
}

func TestCheckAcceptsValidFields(t *testing.T) {
	in, problems := checker.Check(validFields())
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	if in.Ref != "MA-2018-0001" || in.Sex != "F" || in.CaseworkerHandle != "cw.salma" ||
		in.BirthDate.Format(time.DateOnly) != "1990-03-04" || in.ReturnDate.Format(time.DateOnly) != "2018-05-06" {
		t.Fatalf("input %+v", in)
	}
	if strings.Join(in.Assistance, ",") != "material,microproject" || len(in.Vulnerabilities) != 0 || in.Vulnerabilities == nil {
		t.Fatalf("lists %q %q", in.Assistance, in.Vulnerabilities)
	}
}

func TestCheckReportsEachProblem(t *testing.T) {
	cases := []struct {
		field, value string
		want         string // the whole problem as reported
	}{
		{"sex", "X", `sex "X": expected F or M`},
		{"sex", "", `sex: required`},
		{"ref", "", `ref: required`},
		{"ref", "MA 1", `ref "MA 1": expected letters, digits`},
		{"birth_date", "04/03/1990", `birth_date "04/03/1990": expected an ISO date YYYY-MM-DD`},
		{"birth_date", "1990-02-30", `birth_date "1990-02-30": expected an ISO date`},
		{"birth_date", "2018-05-06", `birth_date "2018-05-06": must be before return_date 2018-05-06`},
		{"birth_date", "1890-01-01", `birth_date "1890-01-01": before 1900`},
		{"return_date", "2018-07-16", `return_date "2018-07-16": in the future (today is 2018-07-15)`},
		{"host_country", "it", `host_country "it": expected two uppercase letters`},
		{"host_country", "ITA", `host_country "ITA": expected two uppercase letters`},
		{"region", "", `region: required`},
		{"programme", "", `programme: required`},
		{"assistance", "Material", `assistance "Material": expected lowercase words separated by ";"`},
		{"vulnerabilities", "medical,trafficking", `vulnerabilities "medical,trafficking": expected lowercase words`},
		{"sector", "fishing", `sector "fishing": expected agriculture, services or commerce`},
		{"sector", "", `sector: required when assistance includes microproject`},
		{"caseworker", "cw.nobody", `caseworker "cw.nobody": no staff with that handle; add them first with suivi staff add`},
		{"caseworker", "", `caseworker: required`},
		{"region", "Ori\x00ental", `region "Ori\x00ental": contains control characters`},
		{"region", "Orient\xe9", "region \"Orient\uFFFD\": not valid UTF-8"},
		{"region", strings.Repeat("r", 201), `region: longer than 200 characters`},
	}
	for _, c := range cases {
		t.Run(c.field+"="+c.value, func(t *testing.T) {
			f := validFields()
			f[c.field] = c.value
			_, problems := checker.Check(f)
			if len(problems) != 1 {
				t.Fatalf("problems %v, want one", problems)
			}
			if got := problems[0].Error(); !strings.HasPrefix(got, c.want) {
				t.Fatalf("got  %s\nwant %s…", got, c.want)
			}
		})
	}
}

func TestCheckSectorWithoutMicroprojectIsAllowed(t *testing.T) {
	f := validFields()
	f["assistance"] = "training"
	if _, problems := checker.Check(f); len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
}

func TestCheckReportsAllProblemsOfARow(t *testing.T) {
	f := validFields()
	f["sex"], f["host_country"], f["return_date"] = "X", "Italy", "2019-01-01"
	_, problems := checker.Check(f)
	if len(problems) != 3 {
		t.Fatalf("problems %v, want 3", problems)
	}
	if p := problems[0]; p.Message("--sex") != `--sex "X": expected F or M` {
		t.Fatalf("flag message %q", p.Message("--sex"))
	}
}
