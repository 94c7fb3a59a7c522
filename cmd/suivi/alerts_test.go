package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"suivi/storage"
)

func TestAlertsList(t *testing.T) {
	c := newCLI(t)
	c.addFixtureStaff(t)
	c.must(t, "returnees", "import", fixtureCSV)
	ctx := context.Background()
	for _, a := range []struct{ ref, category, severity, message string }{
		{"MA-2018-0001", storage.AlertSafety, "urgent", "Safety question answered yes"},
		{"MA-2018-0002", storage.AlertHelpRequest, "medium", "Asked for help\twith\nthe project"},
	} {
		r, err := storage.ReturneeByRef(ctx, c.db, a.ref)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := storage.CreateAlert(ctx, c.db, storage.Alert{ReturneeID: &r.ID, Category: a.category, Severity: a.severity, Message: a.message}); err != nil {
			t.Fatal(err)
		}
	}
	c.db.Exec(`UPDATE alerts SET status = 'resolved' WHERE category = 'help_request'`)

	out := c.must(t, "alerts", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !regexp.MustCompile(`^ID\s+CREATED\s+REF\s+CATEGORY\s+SEVERITY\s+STATUS\s+MESSAGE$`).MatchString(lines[0]) {
		t.Fatalf("list:\n%s", out)
	}
	if !strings.Contains(out, "MA-2018-0002") || !strings.Contains(out, "Asked for help with the project") {
		t.Fatalf("list:\n%s", out)
	}
	open := c.must(t, "alerts", "list", "--status", "open")
	if !regexp.MustCompile(`(?m)^\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+MA-2018-0001\s+safety\s+urgent\s+open\s+Safety question answered yes$`).MatchString(open) ||
		strings.Contains(open, "MA-2018-0002") {
		t.Fatalf("open alerts:\n%s", open)
	}
	mine := c.must(t, "alerts", "list", "--ref", "MA-2018-0002")
	if strings.Count(mine, "\n") != 2 || !strings.Contains(mine, "help_request") {
		t.Fatalf("alerts of MA-2018-0002:\n%s", mine)
	}
	if _, err := c.run("alerts", "list", "--status", "closed"); exitCode(err) != 2 {
		t.Fatalf("bad status: %v", err)
	}
	if _, err := c.run("alerts", "list", "--ref", "MA-404"); err == nil || !strings.Contains(err.Error(), `no returnee with ref "MA-404"`) {
		t.Fatalf("unknown ref: %v", err)
	}
	if _, err := c.run("alerts"); exitCode(err) != 2 {
		t.Fatalf("no subcommand: %v", err)
	}
	if n := c.count(t, `SELECT count(*) FROM audit_log WHERE action = 'alerts.list'`); n != 3 {
		t.Fatalf("%d alerts.list audit rows, want 3", n)
	}
}
