package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"suivi/storage"
)

// After a returnee erased their data (/delete), every command still works
// and shows the case as deleted, with nothing else about it.
func TestCommandsAfterErasure(t *testing.T) {
	c := newCLI(t)
	c.addFixtureStaff(t)
	c.must(t, "returnees", "import", fixtureCSV)
	ctx := context.Background()
	r, err := storage.ReturneeByRef(ctx, c.db, "MA-2018-0001")
	if err != nil {
		t.Fatal(err)
	}
	if err := storage.BindReturnee(ctx, c.db, r.ID, 5151, 5151, "fr", c.env.Now()); err != nil {
		t.Fatal(err)
	}
	c.raise(t, "MA-2018-0001", safetyAlert)
	if err := storage.EraseReturnee(ctx, c.db, r.ID); err != nil {
		t.Fatal(err)
	}

	list := c.must(t, "returnees", "list")
	if !regexp.MustCompile(`(?m)^MA-2018-0001\s+-\s+-\s+cw.salma\s+declined\s+deleted\s+no$`).MatchString(list) {
		t.Fatalf("the erased returnee in the list:\n%s", list)
	}
	c.must(t, "returnees", "list", "--caseworker", "cw.salma")
	alerts := c.must(t, "alerts", "list")
	if !regexp.MustCompile(`(?m)^\d+\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+-\s+safety\s+urgent\s+resolved\s+Self-harm risk: .*$`).MatchString(alerts) {
		t.Fatalf("the erased returnee's alert, anonymous:\n%s", alerts)
	}
	if n := c.count(t, `SELECT count(*) FROM alerts WHERE params ? 'answers' OR question_ids <> '{}'`); n != 0 {
		t.Fatalf("%d erased alerts still hold answers", n)
	}
	if mine := c.must(t, "alerts", "list", "--ref", "MA-2018-0001"); strings.Count(mine, "\n") != 1 {
		t.Fatalf("alerts still listed under the erased reference:\n%s", mine)
	}
	if out := c.must(t, "schedule", "preview", "--ref", "MA-2018-0001"); !strings.Contains(out, "no coming check-ins") {
		t.Fatalf("schedule preview of an erased returnee:\n%s", out)
	}
	c.must(t, "staff", "list")
	c.vars["SUIVI_BOT_USERNAME"] = "MonSuiviBot"
	_, err = c.run("returnees", "invite", "--ref", "MA-2018-0001")
	if err == nil || !strings.Contains(err.Error(), "MA-2018-0001 was deleted at their request") || exitCode(err) == 0 {
		t.Fatalf("invite after erasure: %v", err)
	}
	if n := c.count(t, `SELECT count(*) FROM invitations`); n != 0 {
		t.Fatal("an erased returnee was invited")
	}
	if out := c.must(t, "returnees", "add", "--ref", "MA-2018-0001", "--sex", "F", "--birth-date", "1990-01-01",
		"--return-date", "2018-01-05", "--host-country", "IT", "--region", "Oriental", "--programme", "AVRR",
		"--caseworker", "cw.salma"); !strings.Contains(out, "deleted at their request") {
		t.Fatalf("re-adding an erased returnee: %s", out)
	}
}

// A returnee already following on one phone can be invited again for a new
// one; the old link stops working once the move is done (bot tests).
func TestReturneesInviteAgainAfterConsent(t *testing.T) {
	c := newCLI(t)
	c.vars["SUIVI_BOT_USERNAME"] = "MonSuiviBot"
	c.addFixtureStaff(t)
	c.must(t, addArgs...)
	ctx := context.Background()
	r, err := storage.ReturneeByRef(ctx, c.db, "MA-9")
	if err != nil {
		t.Fatal(err)
	}
	if err := storage.BindReturnee(ctx, c.db, r.ID, 5252, 5252, "ar", c.env.Now()); err != nil {
		t.Fatal(err)
	}
	out := c.must(t, "returnees", "invite", "--ref", "MA-9")
	m := linkPattern.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "moves their follow-up there once they confirm") {
		t.Fatalf("invite of a consenting returnee printed %q", out)
	}
	inv, err := storage.RedeemInvitation(ctx, c.db, m[2], 5353, c.env.Now())
	if err != nil || inv.ReturneeID == nil || *inv.ReturneeID != r.ID {
		t.Fatalf("redeem the new link on another account: %+v, %v", inv, err)
	}
}
