package main

import (
	"errors"
	"net"
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
	c.vars["SUIVI_SANDBOX"] = "1"
	_, err := c.run("serve")
	if err == nil || !strings.Contains(err.Error(), "broken.yaml:8") || !strings.Contains(err.Error(), "ar") {
		t.Fatalf("serve with a broken flow: %v", err)
	}
	out, lintErr := c.run("flows", "lint", dir)
	if lintErr == nil || !strings.Contains(out, "broken.yaml:8") {
		t.Fatalf("flows lint printed %q (%v)", out, lintErr)
	}
}

// Without a token serve refuses to start rather than run a sandbox nobody
// asked for; with both a token and SUIVI_SANDBOX=1 it refuses too.
func TestServeNeverStartsAnAccidentalSandbox(t *testing.T) {
	c := newCLI(t)
	_, err := c.run("serve")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "TELEGRAM_BOT_TOKEN") || !strings.Contains(err.Error(), "SUIVI_SANDBOX=1") {
		t.Fatalf("serve without a token: %v (exit %d)", err, exitCode(err))
	}
	c.vars["TELEGRAM_BOT_TOKEN"] = "123456:abcdef"
	c.vars["SUIVI_SANDBOX"] = "1"
	if _, err := c.run("serve"); exitCode(err) != 2 || !strings.Contains(err.Error(), "SUIVI_SANDBOX") {
		t.Fatalf("serve with a token and the sandbox: %v (exit %d)", err, exitCode(err))
	}
}

// A Bot API that cannot be reached stops serve with an error that names the
// settings to check and never the token.
func TestServeErrorsNeverShowTheToken(t *testing.T) {
	c := newCLI(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := l.Addr().String()
	l.Close()
	const token = "424242:TOKEN-must-stay-secret"
	c.vars["TELEGRAM_BOT_TOKEN"] = token
	c.vars["TELEGRAM_API_ENDPOINT"] = "http://" + refused + "/bot%s/%s"
	c.vars["SUIVI_HTTP_ADDR"] = "127.0.0.1:0"
	_, err = c.run("serve")
	if err == nil || !strings.Contains(err.Error(), "TELEGRAM_API_ENDPOINT") {
		t.Fatalf("serve against a closed port: %v", err)
	}
	for _, printed := range []string{err.Error(), c.errOut.String(), c.out.String()} {
		if strings.Contains(printed, "TOKEN-must-stay-secret") {
			t.Fatalf("the token was printed: %s", printed)
		}
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
