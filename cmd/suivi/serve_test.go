package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"suivi/app"
)

// A wrong setting stops serve before anything starts, naming the variable;
// the exit code is 2.
func TestServeRefusesBadConfiguration(t *testing.T) {
	c := newCLI(t)
	c.vars["SUIVI_TIMEZONE"] = "Nowhere/Atlantis"
	_, err := c.run("serve")
	var ce *app.ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "SUIVI_TIMEZONE") || exitCode(err) != 2 {
		t.Fatalf("serve with a bad time zone: %v (exit %d)", err, exitCode(err))
	}
}

// serve refuses flow definitions with errors and prints lint's messages.
func TestServeRefusesBrokenFlows(t *testing.T) {
	c := newCLI(t)
	dir := t.TempDir()
	broken := "id: broken\nversion: 1\ntitle: {fr: A, ar: ب, en: B}\nschedule: {trigger: manual}\nquestions:\n  - id: q1\n    type: yesno\n    text: {fr: x, en: y}\n"
	if err := os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	c.vars["SUIVI_FLOWS_DIR"] = dir
	_, err := c.run("serve")
	if err == nil || !strings.Contains(err.Error(), "broken.yaml:8") || !strings.Contains(err.Error(), "ar") {
		t.Fatalf("serve with a broken flow: %v", err)
	}
	out, lintErr := c.run("flows", "lint", dir)
	if lintErr == nil || !strings.Contains(out, "broken.yaml:8") {
		t.Fatalf("flows lint printed %q (%v)", out, lintErr)
	}
}

func TestCheckinsStartNeedsAnEnrolledReturnee(t *testing.T) {
	c := newCLI(t)
	if _, err := c.run("checkins", "start", "--ref", "MA-NOPE", "--flow", "wellbeing"); err == nil {
		t.Fatal("a check-in for an unknown returnee must fail")
	}
	if _, err := c.run("checkins", "start", "--ref", "MA-NOPE", "--flow", "no_such_flow"); err == nil || !strings.Contains(err.Error(), "--flow") {
		t.Fatalf("unknown flow: %v", err)
	}
	if _, err := c.run("checkins", "start"); err == nil || !strings.Contains(err.Error(), "--ref") {
		t.Fatalf("missing flags: %v", err)
	}
}
