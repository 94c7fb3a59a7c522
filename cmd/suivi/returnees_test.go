package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"suivi/bot/telegramtest"
	"suivi/storage"
	"suivi/storage/storagetest"
)

const fixtureCSV = "../../enrol/testdata/returnees-2018h1.csv"

// cli runs commands through Run against a fresh database, as user "tester"
// on 2018-07-15.
type cli struct {
	env         *Env
	db          *sql.DB
	vars        map[string]string
	out, errOut bytes.Buffer
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	db, dsn := storagetest.NewDatabase(t)
	c := &cli{db: db, vars: map[string]string{"DATABASE_URL": dsn, "USER": "tester"}}
	c.env = &Env{
		Stdout: &c.out, Stderr: &c.errOut,
		Getenv: func(k string) string { return c.vars[k] },
		Now:    func() time.Time { return time.Date(2018, 7, 15, 10, 0, 0, 0, time.UTC) },
	}
	return c
}

// run executes one command and returns its standard output.
func (c *cli) run(args ...string) (string, error) {
	c.out.Reset()
	c.errOut.Reset()
	err := Run(context.Background(), c.env, args)
	return c.out.String(), err
}

// must runs a command that has to succeed.
func (c *cli) must(t *testing.T, args ...string) string {
	t.Helper()
	out, err := c.run(args...)
	if err != nil {
		t.Fatalf("suivi %s: %v\n%s", strings.Join(args, " "), err, c.errOut.String())
	}
	return out
}

func (c *cli) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := c.db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (c *cli) addFixtureStaff(t *testing.T) {
	t.Helper()
	for _, h := range []string{"cw.salma", "cw.youssef", "cw.amina"} {
		c.must(t, "staff", "add", "--handle", h, "--name", "Staff "+h, "--role", "caseworker")
	}
}

func writeCSV(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "returnees.csv")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReturneesImportFixtureTwice(t *testing.T) {
	c := newCLI(t)
	c.addFixtureStaff(t)
	if out := c.must(t, "returnees", "import", fixtureCSV); out != "83 returnees: 83 created, 0 updated, 0 skipped\n" {
		t.Fatalf("first import printed %q", out)
	}
	women := c.count(t, `SELECT count(*) FROM returnees WHERE sex = 'F'`)
	men := c.count(t, `SELECT count(*) FROM returnees WHERE sex = 'M'`)
	if women != 12 || men != 71 {
		t.Fatalf("%d F / %d M, want 12 / 71", women, men)
	}
	if out := c.must(t, "returnees", "import", fixtureCSV); out != "83 returnees: 0 created, 83 updated, 0 skipped\n" {
		t.Fatalf("second import printed %q", out)
	}
	if n := c.count(t, `SELECT count(*) FROM returnees`); n != 83 {
		t.Fatalf("%d returnees after re-import, want 83", n)
	}
	if n := c.count(t, `SELECT count(*) FROM audit_log WHERE actor = 'cli:tester' AND action = 'returnees.import'`); n != 2 {
		t.Fatalf("%d import audit rows, want 2", n)
	}
}

func TestReturneesImportNeedsStaffFirst(t *testing.T) {
	c := newCLI(t)
	_, err := c.run("returnees", "import", fixtureCSV)
	if err == nil || !strings.Contains(err.Error(), `line 2: caseworker "cw.salma": no staff with that handle; add them first with suivi staff add`) {
		t.Fatalf("err = %v", err)
	}
	for _, h := range []string{"cw.salma", "cw.youssef", "cw.amina"} {
		if want := "\n  suivi staff add --handle " + h + " --name NAME --role caseworker"; strings.Count(err.Error(), want) != 1 {
			t.Errorf("error does not say once %q", want)
		}
	}
	if n := c.count(t, `SELECT count(*) FROM returnees`); n != 0 {
		t.Fatalf("%d returnees written", n)
	}
}

const badFile = csvHeader + "\n" +
	"MA-1,F,1990-01-02,2018-03-04,IT,Souss-Massa,AVRR,,,,cw.salma\n" +
	"MA-2,X,1990-01-02,2018-03-04,IT,Oriental,AVRR,,,,cw.salma\n" +
	"MA-3,M,1990-01-02,2018-03-04,Italy,Oriental,AVRR,microproject,,,cw.salma\n" +
	"MA-4,M,1990-01-02,2018-03-04,IT,Oriental,AVRR,,,,cw.salma\n" +
	"MA-5,M,1990-01-02,2019-03-04,IT,Oriental,AVRR,,,,cw.salma\n"

const csvHeader = "ref,sex,birth_date,return_date,host_country,region,programme,assistance,sector,vulnerabilities,caseworker"

func TestReturneesImportRejectsBadFileWhole(t *testing.T) {
	c := newCLI(t)
	c.addFixtureStaff(t)
	c.must(t, "returnees", "add", "--ref", "MA-1", "--sex", "F", "--birth-date", "1990-01-02", "--return-date", "2018-03-04",
		"--host-country", "IT", "--region", "Oriental", "--programme", "AVRR", "--caseworker", "cw.salma")
	_, err := c.run("returnees", "import", writeCSV(t, badFile))
	if err == nil {
		t.Fatal("bad file imported")
	}
	for _, want := range []string{
		"3 invalid lines, nothing imported",
		`line 3: sex "X": expected F or M`,
		`line 4: host_country "Italy": expected two uppercase letters`,
		`line 4: sector: required when assistance includes microproject`,
		`line 6: return_date "2019-03-04": in the future`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if n := c.count(t, `SELECT count(*) FROM returnees`); n != 1 {
		t.Fatalf("%d returnees, want the 1 that existed", n)
	}
	if n := c.count(t, `SELECT count(*) FROM returnees WHERE ref = 'MA-1' AND region = 'Oriental'`); n != 1 {
		t.Fatal("existing returnee changed by a rejected file")
	}
}

func TestReturneesImportSkipInvalid(t *testing.T) {
	c := newCLI(t)
	c.addFixtureStaff(t)
	c.must(t, "returnees", "add", "--ref", "MA-1", "--sex", "F", "--birth-date", "1990-01-02", "--return-date", "2018-03-04",
		"--host-country", "IT", "--region", "Oriental", "--programme", "AVRR", "--caseworker", "cw.salma")
	out := c.must(t, "returnees", "import", writeCSV(t, badFile), "--skip-invalid")
	if out != "5 returnees: 1 created, 1 updated, 3 skipped\n" {
		t.Fatalf("printed %q", out)
	}
	if !strings.Contains(c.errOut.String(), `skipped line 3: sex "X": expected F or M`) {
		t.Fatalf("stderr %q", c.errOut.String())
	}
	if n := c.count(t, `SELECT count(*) FROM returnees WHERE ref IN ('MA-1', 'MA-4')`); n != 2 {
		t.Fatal("valid rows not imported")
	}
	if n := c.count(t, `SELECT count(*) FROM returnees WHERE region = 'Souss-Massa'`); n != 1 {
		t.Fatal("MA-1 not updated")
	}
}

func TestReturneesImportUsage(t *testing.T) {
	c := newCLI(t)
	for _, args := range [][]string{{"returnees", "import"}, {"returnees", "import", "a.csv", "b.csv"}, {"returnees", "import", "--nope", "a.csv"}} {
		if _, err := c.run(args...); exitCode(err) != 2 {
			t.Errorf("%v: err %v, want a usage error", args, err)
		}
	}
	if _, err := c.run("returnees", "import", "/nonexistent.csv"); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("missing file: %v", err)
	}
}

var addArgs = []string{"returnees", "add", "--ref", "MA-9", "--sex", "M", "--birth-date", "1988-05-06", "--return-date", "2018-06-01",
	"--host-country", "DE", "--region", "Oriental", "--programme", "AVRR", "--caseworker", "cw.salma",
	"--assistance", "microproject", "--sector", "services", "--vulnerabilities", "medical"}

func TestReturneesAdd(t *testing.T) {
	c := newCLI(t)
	c.addFixtureStaff(t)
	if out := c.must(t, addArgs...); !strings.HasPrefix(out, "created returnee MA-9") {
		t.Fatalf("printed %q", out)
	}
	if out := c.must(t, addArgs...); out != "updated returnee MA-9\n" {
		t.Fatalf("printed %q", out)
	}
	r, err := storage.ReturneeByRef(context.Background(), c.db, "MA-9")
	if err != nil || r.Sector != "services" || r.HostCountry != "DE" || len(r.Vulnerabilities) != 1 {
		t.Fatalf("stored %+v, %v", r, err)
	}
	cases := map[string]string{
		"--sex":          `--sex "X": expected F or M`,
		"--birth-date":   `--birth-date "2018-13-01": expected an ISO date`,
		"--host-country": `--host-country "Germany": expected two uppercase letters`,
		"--caseworker":   `--caseworker "cw.nobody": no staff with that handle`,
	}
	values := map[string]string{"--sex": "X", "--birth-date": "2018-13-01", "--host-country": "Germany", "--caseworker": "cw.nobody"}
	for flag, want := range cases {
		args := append([]string{}, addArgs...)
		for i := range args {
			if args[i] == flag {
				args[i+1] = values[flag]
			}
		}
		_, err := c.run(args...)
		if exitCode(err) != 2 || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err %v, want usage error with %q", flag, err, want)
		}
	}
	_, err = c.run("returnees", "add", "--ref", "MA-10")
	if err == nil || !strings.Contains(err.Error(), "missing --sex, --birth-date") {
		t.Fatalf("missing flags: %v", err)
	}
	if n := c.count(t, `SELECT count(*) FROM audit_log WHERE action = 'returnees.add' AND subject = 'MA-9'`); n != 2 {
		t.Fatalf("%d add audit rows, want 2", n)
	}
}

func TestReturneesList(t *testing.T) {
	c := newCLI(t)
	c.addFixtureStaff(t)
	c.must(t, "returnees", "import", fixtureCSV)
	out := c.must(t, "returnees", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 84 || !regexp.MustCompile(`^REF\s+SEX\s+RETURNED\s+CASEWORKER\s+CONSENT\s+STATUS\s+BOUND$`).MatchString(lines[0]) {
		t.Fatalf("%d lines, header %q", len(lines), lines[0])
	}
	if !regexp.MustCompile(`^MA-2018-0001\s+M\s+2018-01-05\s+cw.salma\s+pending\s+active\s+no$`).MatchString(lines[1]) {
		t.Fatalf("first row %q", lines[1])
	}
	mine := c.must(t, "returnees", "list", "--caseworker", "cw.amina")
	if n := strings.Count(mine, "\n") - 1; n != 32 {
		t.Fatalf("cw.amina has %d returnees listed, want 32", n)
	}
	if _, err := c.run("returnees", "list", "--caseworker", "cw.nobody"); err == nil || !strings.Contains(err.Error(), `no staff with handle "cw.nobody"`) {
		t.Fatalf("unknown case worker: %v", err)
	}
	if n := c.count(t, `SELECT count(*) FROM audit_log WHERE action = 'returnees.list'`); n != 2 {
		t.Fatalf("%d list audit rows, want 2", n)
	}
}

var linkPattern = regexp.MustCompile(`(?m)^https://t\.me/([A-Za-z0-9_]+)\?start=([A-Za-z0-9_-]{1,64})$`)

func TestReturneesInvite(t *testing.T) {
	c := newCLI(t)
	c.addFixtureStaff(t)
	c.must(t, addArgs...)
	// No token, no username: no link to a bot that could be someone else's.
	if _, err := c.run("returnees", "invite", "--ref", "MA-9"); exitCode(err) != 2 ||
		!strings.Contains(err.Error(), "TELEGRAM_BOT_TOKEN") || !strings.Contains(err.Error(), "SUIVI_BOT_USERNAME") {
		t.Fatalf("invite with no bot: %v", err)
	}
	// With a token, the link names the bot Telegram says the token is.
	fake := telegramtest.New(telegramtest.WithBotUsername("MaSuiviBot"))
	defer fake.Close()
	c.vars["TELEGRAM_BOT_TOKEN"], c.vars["TELEGRAM_API_ENDPOINT"] = fake.Token(), fake.Endpoint()
	qr := filepath.Join(t.TempDir(), "MA-9.png")
	out := c.must(t, "returnees", "invite", "--ref", "MA-9", "--qr", qr)
	m := linkPattern.FindStringSubmatch(out)
	if m == nil || m[1] != "MaSuiviBot" || !strings.Contains(out, "valid until 2018-08-14") {
		t.Fatalf("printed %q", out)
	}
	png, err := os.ReadFile(qr)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("QR file: %v, %d bytes", err, len(png))
	}
	ctx := context.Background()
	inv, err := storage.RedeemInvitation(ctx, c.db, m[2], 4242, c.env.Now())
	if err != nil || inv.ReturneeID == nil {
		t.Fatalf("redeem printed token: %+v, %v", inv, err)
	}

	c.vars["SUIVI_BOT_USERNAME"] = "@MonSuiviBot"
	out = c.must(t, "returnees", "invite", "--ref", "MA-9", "--ttl", "2h")
	if m := linkPattern.FindStringSubmatch(out); m == nil || m[1] != "MonSuiviBot" || !strings.Contains(out, "valid until 2018-07-15 13:00") {
		t.Fatalf("printed %q", out)
	}
	c.vars["SUIVI_BOT_USERNAME"] = "not a bot"
	if _, err := c.run("returnees", "invite", "--ref", "MA-9"); exitCode(err) != 2 || !strings.Contains(err.Error(), "SUIVI_BOT_USERNAME") {
		t.Fatalf("bad bot username: %v", err)
	}
	delete(c.vars, "SUIVI_BOT_USERNAME")
	// The sandbox has no public bot: the invitation is the command to send there.
	delete(c.vars, "TELEGRAM_BOT_TOKEN")
	c.vars["SUIVI_SANDBOX"] = "1"
	if out := c.must(t, "returnees", "invite", "--ref", "MA-9"); !regexp.MustCompile(`(?m)^/start [A-Za-z0-9_-]{43}$`).MatchString(out) {
		t.Fatalf("sandbox invite printed %q", out)
	}
	c.vars["TELEGRAM_BOT_TOKEN"] = fake.Token()
	delete(c.vars, "SUIVI_SANDBOX")

	if _, err := c.run("returnees", "invite", "--ref", "MA-404"); err == nil || !strings.Contains(err.Error(), `no returnee with ref "MA-404"`) {
		t.Fatalf("unknown ref: %v", err)
	}
	if _, err := c.run("returnees", "invite", "--ref", "MA-9", "--ttl", "10s"); exitCode(err) != 2 {
		t.Fatalf("short ttl: %v", err)
	}
	c.db.Exec(`UPDATE returnees SET consent = 'declined' WHERE ref = 'MA-9'`)
	if out := c.must(t, "returnees", "invite", "--ref", "MA-9"); !strings.Contains(out, "declined consent earlier") {
		t.Fatalf("declined: %q", out)
	}
	c.db.Exec(`UPDATE returnees SET status = 'deleted' WHERE ref = 'MA-9'`)
	if _, err := c.run("returnees", "invite", "--ref", "MA-9"); !errors.Is(err, storage.ErrConflict) || !strings.Contains(err.Error(), "deleted at their request") {
		t.Fatalf("deleted: %v", err)
	}
	if n := c.count(t, `SELECT count(*) FROM audit_log WHERE action = 'returnees.invite' AND subject = 'MA-9'`); n != 4 {
		t.Fatalf("%d invite audit rows, want 4", n)
	}
}
