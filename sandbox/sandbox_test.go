package sandbox_test

import (
	"context"
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"suivi/storage"
	"suivi/storage/storagetest"
)

// counts are the seed's rows, to compare two starts.
type counts struct{ staff, returnees, invitations, completed, missed, answers, scores, alerts int }

func countRows(t *testing.T, dsn string) counts {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var c counts
	err = db.QueryRow(`SELECT (SELECT count(*) FROM staff), (SELECT count(*) FROM returnees), (SELECT count(*) FROM invitations),
		(SELECT count(*) FROM checkins WHERE status = 'completed'), (SELECT count(*) FROM checkins WHERE status = 'missed'),
		(SELECT count(*) FROM answers), (SELECT count(*) FROM scores), (SELECT count(*) FROM alerts)`).
		Scan(&c.staff, &c.returnees, &c.invitations, &c.completed, &c.missed, &c.answers, &c.scores, &c.alerts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The seed gives the manager figures (months of answered check-ins, a
// missed one, alerts), and a second start adds nothing and keeps the clock
// where it was.
func TestSeedOnce(t *testing.T) {
	sb := startSandbox(t, "")
	if code := sb.post(t, "/clock", map[string]string{"step": "day"}, nil); code != http.StatusOK {
		t.Fatalf("step day: %d", code)
	}
	if err := sb.stop(); err != nil {
		t.Fatalf("first run: %v", err)
	}
	first := countRows(t, sb.dsn)
	if first.staff != 3 || first.returnees != 9 || first.invitations != 3 {
		t.Errorf("seed: %d staff, %d returnees, %d invitations; want 3, 9, 3", first.staff, first.returnees, first.invitations)
	}
	if first.completed < 20 || first.missed < 2 || first.answers < 100 || first.scores == 0 || first.alerts == 0 {
		t.Errorf("seed history too thin for a report: %+v", first)
	}
	again := startOn(t, sb.dsn, "")
	if ahead := again.state(t).Ahead; !strings.HasPrefix(ahead, "+1d") {
		t.Errorf("after a restart the clock is %q ahead, want the day it was moved", ahead)
	}
	if err := again.stop(); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if second := countRows(t, sb.dsn); second.staff != first.staff || second.returnees != first.returnees ||
		second.invitations != first.invitations || second.answers != first.answers || second.alerts != first.alerts {
		t.Errorf("second start changed the seed: %+v, then %+v", first, second)
	}
}

// A database holding someone else's returnees is never seeded nor reset.
func TestRefusesForeignDatabase(t *testing.T) {
	db, dsn := storagetest.NewDatabase(t)
	ctx := context.Background()
	if _, _, err := storage.UpsertReturnees(ctx, db, []storage.ReturneeInput{{Ref: "MA-2026-0001", Sex: "F",
		BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), ReturnDate: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), HostCountry: "Libya"}}); err != nil {
		t.Fatal(err)
	}
	err := runOnce(t, dsn)
	if err == nil || !strings.Contains(err.Error(), "suivi_sandbox") {
		t.Fatalf("sandbox on a foreign database: %v, want a refusal naming suivi_sandbox", err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM returnees`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("returnees after the refusal: %d (%v), want the 1 already there", n, err)
	}
}

// The clock moves by the steps the page offers and refuses others.
func TestClockSteps(t *testing.T) {
	sb := startSandbox(t, "")
	var bad map[string]string
	if code := sb.post(t, "/clock", map[string]string{"step": "year"}, &bad); code != http.StatusBadRequest ||
		!strings.Contains(bad["error"], "hour, day, week or month") {
		t.Fatalf("step year: %d %v", code, bad)
	}
	before := sb.state(t)
	if code := sb.post(t, "/clock", map[string]string{"step": "week"}, nil); code != http.StatusOK {
		t.Fatalf("step week: %d", code)
	}
	after := sb.state(t)
	if !strings.HasPrefix(after.Ahead, "+7d") {
		t.Fatalf("after a week the clock is %q ahead (was %s, now %s)", after.Ahead, before.Clock, after.Clock)
	}
	if code := sb.post(t, "/clock", map[string]string{"step": "hour"}, nil); code != http.StatusOK {
		t.Fatalf("step hour: %d", code)
	}
	if got := sb.state(t).Ahead; !strings.HasPrefix(got, "+7d 1h") {
		t.Fatalf("after a week and an hour the clock is %q ahead", got)
	}
}

// Reset wipes the chats and the clock, and the seed comes back once.
func TestReset(t *testing.T) {
	sb := startSandbox(t, "")
	st := sb.state(t)
	awa := st.Chats[0]
	if code := sb.post(t, "/send", map[string]any{"chat": awa.ID, "text": "/start " + awa.Token}, nil); code != http.StatusOK {
		t.Fatalf("send: %d", code)
	}
	sb.post(t, "/clock", map[string]string{"step": "day"}, nil)
	if code := sb.post(t, "/reset", map[string]any{}, nil); code != http.StatusAccepted {
		t.Fatalf("reset: %d", code)
	}
	sb.waitRestart(t)
	st = sb.state(t)
	if st.Ahead != "" || len(st.Chats[0].Messages) != 0 || st.Chats[0].Token == awa.Token {
		t.Fatalf("after reset: clock %q ahead, %d messages, token renewed %v", st.Ahead, len(st.Chats[0].Messages), st.Chats[0].Token != awa.Token)
	}
	if c := countRows(t, sb.dsn); c.returnees != 9 {
		t.Fatalf("after reset %d returnees, want the seed's 9", c.returnees)
	}
}

// Bad input to the page's calls is refused, naming the field.
func TestPageRefusesBadInput(t *testing.T) {
	sb := startSandbox(t, "")
	var res map[string]string
	if code := sb.post(t, "/send", map[string]any{"chat": 12345, "text": "hello"}, &res); code != http.StatusNotFound || !strings.Contains(res["error"], "chat") {
		t.Errorf("send to an unknown chat: %d %v", code, res)
	}
	if code := sb.post(t, "/send", map[string]any{"chat": 9001, "text": " "}, &res); code != http.StatusBadRequest || !strings.Contains(res["error"], "text") {
		t.Errorf("send an empty text: %d %v", code, res)
	}
	if code := sb.post(t, "/press", map[string]any{"chat": 9001, "message": 0, "data": "x"}, &res); code != http.StatusBadRequest || !strings.Contains(res["error"], "message") {
		t.Errorf("press without a message: %d %v", code, res)
	}
	if code := sb.post(t, "/flows/reload", map[string]any{}, &res); code != http.StatusBadRequest || !strings.Contains(res["error"], "SUIVI_FLOWS_DIR") {
		t.Errorf("reload without a folder: %d %v", code, res)
	}
	r, err := http.Get(sb.url + "/documents/9001/1")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusNotFound {
		t.Errorf("download a document that is not there: %d", r.StatusCode)
	}
}

// Reload shows the lint's file:line problems and keeps the running flows;
// once fixed, the app restarts with the new version.
func TestFlowsReload(t *testing.T) {
	dir := t.TempDir()
	sb := startSandbox(t, dir)
	orig, err := os.ReadFile("../flows/definitions/satisfaction.yaml")
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(orig), "version: 1", "version: 2\nfrobnicate: true", 1)
	if err := os.WriteFile(filepath.Join(dir, "satisfaction.yaml"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	var res struct {
		OK       bool     `json:"ok"`
		Problems []string `json:"problems"`
	}
	if code := sb.post(t, "/flows/reload", map[string]any{}, &res); code != http.StatusUnprocessableEntity || res.OK ||
		len(res.Problems) == 0 || !strings.Contains(res.Problems[0], "satisfaction.yaml:") {
		t.Fatalf("reload a broken flow: %d %+v, want its file:line problems", code, res)
	}
	if st := sb.state(t); st.Reload == nil || st.Reload.OK || hasFlow(st, "satisfaction", 2) {
		t.Fatalf("after a refused reload the page shows %+v", st.Reload)
	}
	fixed := strings.Replace(string(orig), "version: 1", "version: 2", 1)
	if err := os.WriteFile(filepath.Join(dir, "satisfaction.yaml"), []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := sb.post(t, "/flows/reload", map[string]any{}, &res); code != http.StatusAccepted || !res.OK {
		t.Fatalf("reload a fixed flow: %d %+v", code, res)
	}
	sb.waitRestart(t)
	if st := sb.state(t); !hasFlow(st, "satisfaction", 2) || !hasFlow(st, "satisfaction", 1) {
		t.Fatalf("after the reload the flows are %+v, want satisfaction v1 and v2", st.Flows)
	}
}

func hasFlow(st state, id string, version int) bool {
	for _, f := range st.Flows {
		if f.ID == id && f.Version == version {
			return true
		}
	}
	return false
}

// A reload that would drop the version a conversation in progress runs on
// is refused, naming it, and the running app stays.
func TestFlowsReloadKeepsOpenVersions(t *testing.T) {
	dir := t.TempDir()
	visit, err := os.ReadFile("../flows/testdata/versions/visit.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "visit.yaml"), visit, 0o644); err != nil {
		t.Fatal(err)
	}
	sb := startSandbox(t, dir)
	if code := sb.post(t, "/send", map[string]any{"chat": 7001, "text": "/checkin SBX-H-01 visit"}, nil); code != http.StatusOK {
		t.Fatalf("send: %d", code)
	}
	db, err := sql.Open("postgres", sb.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM conversations WHERE flow_id = 'visit' AND status = 'active'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the case worker's /checkin did not start the visit")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := os.Remove(filepath.Join(dir, "visit.yaml")); err != nil {
		t.Fatal(err)
	}
	var res struct {
		OK       bool     `json:"ok"`
		Problems []string `json:"problems"`
	}
	if code := sb.post(t, "/flows/reload", map[string]any{}, &res); code != http.StatusUnprocessableEntity || res.OK ||
		len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "flow visit version 2") {
		t.Fatalf("reload without the open version: %d %+v", code, res)
	}
	if st := sb.state(t); !hasFlow(st, "visit", 2) {
		t.Fatalf("the running flows changed: %+v", st.Flows)
	}
}

// A form posted from another page cannot drive the sandbox.
func TestPageWantsJSON(t *testing.T) {
	sb := startSandbox(t, "")
	res, err := http.Post(sb.url+"/reset", "text/plain", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("reset posted as text/plain: %d, want 415", res.StatusCode)
	}
}
