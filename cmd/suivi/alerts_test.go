package main

import (
	"context"
	"database/sql"
	"regexp"
	"strings"
	"testing"

	"suivi/followup"
	"suivi/storage"
)

// raise raises an alert for the returnee ref as the application does.
func (c *cli) raise(t *testing.T, ref string, a followup.Alert) {
	t.Helper()
	ctx := context.Background()
	r, err := storage.ReturneeByRef(ctx, c.db, ref)
	if err != nil {
		t.Fatal(err)
	}
	a.Returnee = storage.ReturneeID(r.ID)
	if err := storage.InTx(ctx, c.db, func(tx *sql.Tx) error {
		_, _, err := followup.RaiseAlert(ctx, tx, a, c.env.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// safetyAlert is the wellbeing flow's safety rule, as the flow raises it.
var safetyAlert = followup.Alert{Rule: "safety", Category: followup.CategorySafety, Severity: followup.SeverityUrgent,
	TextKey: followup.TextFlowRule, Params: map[string]any{"flow": "wellbeing", "version": 1, "rule": "safety"},
	Answers: map[string]any{"safety": map[string]any{"kind": "option", "option": "yes"}}, QuestionIDs: []string{"safety"}}

func TestAlertsList(t *testing.T) {
	c := newCLI(t)
	c.addFixtureStaff(t)
	c.must(t, "returnees", "import", fixtureCSV)
	c.raise(t, "MA-2018-0001", safetyAlert)
	c.raise(t, "MA-2018-0002", followup.Alert{Category: followup.CategoryHelpRequest, Severity: followup.SeverityMedium,
		TextKey: followup.TextLegacy, Params: map[string]any{"text": "Asked for help\twith\nthe project"}})
	c.db.Exec(`UPDATE alerts SET status = 'resolved' WHERE category = 'help_request'`)

	out := c.must(t, "alerts", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !regexp.MustCompile(`^ID\s+CREATED\s+REF\s+CATEGORY\s+SEVERITY\s+STATUS\s+REASON$`).MatchString(lines[0]) {
		t.Fatalf("list:\n%s", out)
	}
	if !strings.Contains(out, "MA-2018-0002") || !strings.Contains(out, "Asked for help with the project") {
		t.Fatalf("list:\n%s", out)
	}
	open := c.must(t, "alerts", "list", "--status", "open")
	if !regexp.MustCompile(`(?m)^\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+MA-2018-0001\s+safety\s+urgent\s+open\s+Self-harm risk: positive answer to PHQ-9 item 9\. Call the person as soon as pos…$`).MatchString(open) ||
		strings.Contains(open, "MA-2018-0002") {
		t.Fatalf("open alerts:\n%s", open)
	}
	fr := c.must(t, "alerts", "list", "--status", "open", "--lang", "fr")
	if !strings.Contains(fr, "Risque d'automutilation") {
		t.Fatalf("open alerts in French:\n%s", fr)
	}
	if _, err := c.run("alerts", "list", "--lang", "de"); exitCode(err) != 2 {
		t.Fatalf("bad language: %v", err)
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
	if n := c.count(t, `SELECT count(*) FROM audit_log WHERE action = 'alerts.list'`); n != 4 {
		t.Fatalf("%d alerts.list audit rows, want 4", n)
	}
}
