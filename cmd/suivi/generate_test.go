package main

import (
	"strings"
	"testing"
)

// `suivi dev generate` fills an empty database with the sizes asked for,
// and a factsheet can be built from it; it refuses a database with real
// returnees.
func TestDevGenerate(t *testing.T) {
	c := newCLI(t)
	c.must(t, "dev", "generate", "--returnees", "200", "--answers", "5000")
	if n := c.count(t, `SELECT count(*) FROM returnees WHERE ref LIKE 'SYN-%'`); n != 200 {
		t.Errorf("%d returnees, want 200", n)
	}
	if n := c.count(t, `SELECT count(*) FROM answers`); n != 5000 {
		t.Errorf("%d answers, want 5000", n)
	}
	if n := c.count(t, `SELECT count(DISTINCT indicator) FROM answers WHERE indicator <> ''`); n != 7 {
		t.Errorf("%d indicators among the answers, want 7", n)
	}
	if n := c.count(t, `SELECT count(*) FROM checkins`); n == 0 {
		t.Error("no check-ins generated")
	}
	f := c.factsheetJSON(t)
	if at(t, f, "follow_up.total.reach.response_rate") == nil || at(t, f, "follow_up.total.wellbeing.who5_mean") == nil {
		t.Errorf("the follow-up of generated data is empty: %v", at(t, f, "follow_up.total"))
	}

	c2 := newCLI(t)
	c2.addFixtureStaff(t)
	c2.must(t, "returnees", "import", fixtureCSV)
	if _, err := c2.run("dev", "generate", "--returnees", "10", "--answers", "10"); err == nil || !strings.Contains(err.Error(), "not synthetic") {
		t.Errorf("generate on a database with real returnees: %v", err)
	}
}
