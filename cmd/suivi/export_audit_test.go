package main

import (
	"testing"
)

// Commands that print personal data are in the audit log: who, what, when
// (the injected clock, 2018-07-15 10:00 UTC, not the database's).
func TestExportsAuditedAtTheInjectedClock(t *testing.T) {
	c := newCLI(t)
	c.must(t, "returnees", "list")
	c.must(t, "alerts", "list")
	for _, action := range []string{"returnees.list", "alerts.list"} {
		if n := c.count(t, `SELECT count(*) FROM audit_log WHERE action = $1 AND actor = 'cli:tester'
			AND subject = 'all' AND at = '2018-07-15 10:00:00+00'`, action); n != 1 {
			t.Errorf("%s: %d audit rows at the injected clock, want 1", action, n)
		}
	}
}
