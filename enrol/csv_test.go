package enrol_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"suivi/enrol"
	"suivi/storage"
)

const fixture = "testdata/returnees-2018h1.csv"

var fixtureChecker = enrol.Checker{
	Now:         time.Date(2018, 7, 15, 12, 0, 0, 0, time.UTC),
	Caseworkers: map[string]bool{"cw.salma": true, "cw.youssef": true, "cw.amina": true},
}

func TestReadCSVFixture(t *testing.T) {
	f, err := os.Open(fixture)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := fixtureChecker.ReadCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Fatalf("fixture problems:\n%v", &enrol.ProblemsError{Problems: res.Problems})
	}
	women, micro := 0, 0
	for _, r := range res.Inputs() {
		if r.Sex == "F" {
			women++
		}
		if r.Sector != "" {
			micro++
		}
	}
	if len(res.Rows) != 83 || women != 12 || micro != 49 {
		t.Fatalf("%d rows, %d women, %d with a sector; want 83, 12, 49", len(res.Rows), women, micro)
	}
	if res.Rows[0].Line != 2 || res.Rows[82].Line != 84 {
		t.Fatalf("lines %d…%d, want 2…84", res.Rows[0].Line, res.Rows[82].Line)
	}
}

const header = "ref,sex,birth_date,return_date,host_country,region,programme,assistance,sector,vulnerabilities,caseworker"

func read(t *testing.T, text string) (enrol.Result, error) {
	t.Helper()
	return fixtureChecker.ReadCSV(strings.NewReader(text))
}

func TestReadCSVFormats(t *testing.T) {
	rows := "MA-1,F,1990-01-02,2018-03-04,IT,Oriental,AVRR,,,,cw.salma\n" +
		"MA-2,M,1985-01-02,2018-03-05,GR,\"Fès-Meknès\",AVRR,microproject,services,medical,cw.amina\n"
	reordered := "caseworker,ref,sex,birth_date,return_date,host_country,region,programme\n" +
		"cw.salma,MA-1,F,1990-01-02,2018-03-04,IT,Oriental,AVRR\n" +
		"cw.amina,MA-2,M,1985-01-02,2018-03-05,GR,Fès-Meknès,AVRR\n"
	cases := map[string]string{
		"plain":         header + "\n" + rows,
		"bom":           "\ufeff" + header + "\n" + rows,
		"crlf":          strings.ReplaceAll("\ufeff"+header+"\n"+rows, "\n", "\r\n"),
		"reordered":     reordered,
		"no final EOL":  header + "\n" + strings.TrimSuffix(rows, "\n"),
		"header spaces": strings.ReplaceAll(header, ",", " , ") + "\n" + rows,
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			res, err := read(t, text)
			if err != nil || len(res.Problems) > 0 {
				t.Fatalf("err %v, problems %v", err, res.Problems)
			}
			if len(res.Rows) != 2 || res.Rows[1].Input.Region != "Fès-Meknès" || res.Rows[1].Line != 3 || res.Rows[0].Input.Ref != "MA-1" {
				t.Fatalf("rows %+v", res.Rows)
			}
		})
	}
}

func TestReadCSVReportsEveryBadLine(t *testing.T) {
	text := header + "\n" +
		"MA-1,F,1990-01-02,2018-03-04,IT,Oriental,AVRR,,,,cw.salma\n" +
		"MA-2,X,1990-01-02,2018-03-04,IT,Oriental,AVRR,,,,cw.salma\n" +
		"MA-1,M,1990-01-02,2018-03-04,IT,Oriental,AVRR,,,,cw.salma\n" +
		"MA-4,M,1990-01-02,2018-03-04,IT,Oriental\n" +
		"\n" +
		"MA-5,M,1990-01-02,2018-03-04,IT,Oriental,AVRR,microproject,,,cw.nobody\n"
	res, err := read(t, text)
	if err != nil {
		t.Fatal(err)
	}
	got := (&enrol.ProblemsError{Problems: res.Problems}).Error()
	want := []string{
		`line 3: sex "X": expected F or M`,
		`line 4: ref "MA-1": already on line 2`,
		`line 5: 6 fields, expected 11 as in the header`,
		`line 7: sector: required when assistance includes microproject`,
		`line 7: caseworker "cw.nobody": no staff with that handle`,
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in\n%s", w, got)
		}
	}
	if res.InvalidLines() != 4 || len(res.Rows) != 1 || res.Rows[0].Input.Ref != "MA-1" {
		t.Fatalf("%d invalid lines, rows %+v", res.InvalidLines(), res.Rows)
	}
	if got := res.UnknownCaseworkers(); len(got) != 1 || got[0] != "cw.nobody" {
		t.Fatalf("unknown case workers %v", got)
	}
	if !errors.Is(&enrol.ProblemsError{}, storage.ErrInvalid) {
		t.Fatal("ProblemsError is not ErrInvalid")
	}
}

func TestReadCSVRejectsBadFiles(t *testing.T) {
	cases := map[string]struct{ text, want string }{
		"empty":          {"", "empty file"},
		"missing column": {"ref,sex,birth_date,return_date,host_country,region,programme\n", `line 1: missing column "caseworker"`},
		"unknown column": {header + ",name\n", `line 1: unknown column "name"`},
		"twice":          {header + ",ref\n", `column "ref" appears twice`},
		"bad quote":      {header + "\nMA-1,F,1990-01-02,2018-03-04,IT,Ori\"ental,AVRR,,,,cw.salma\n", "line 2: bare \" in non-quoted-field"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := read(t, c.text)
			if err == nil || !errors.Is(err, storage.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want ErrInvalid containing %q", err, c.want)
			}
		})
	}
}

func TestReadCSV10000Rows(t *testing.T) {
	var b strings.Builder
	b.WriteString(header + "\n")
	for i := range 10000 {
		fmt.Fprintf(&b, "MA-%05d,M,1990-01-02,2018-03-04,IT,Oriental,AVRR,microproject;training,services,medical,cw.salma\n", i)
	}
	start := time.Now()
	res, err := read(t, b.String())
	if err != nil || len(res.Rows) != 10000 {
		t.Fatalf("%d rows, %v", len(res.Rows), err)
	}
	t.Logf("10000 rows checked in %s", time.Since(start))
}
