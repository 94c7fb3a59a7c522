package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"suivi/storage"
)

func TestStaffAddAndList(t *testing.T) {
	c := newCLI(t)
	c.must(t, "staff", "add", "--handle", "sup.karim", "--name", "Karim A.", "--role", "supervisor", "--language", "ar")
	out := c.must(t, "staff", "add", "--handle", "cw.salma", "--name", "Salma B.", "--role", "caseworker",
		"--supervisor", "sup.karim", "--telegram-id", "123456789")
	if out != "saved staff cw.salma (caseworker)\n" {
		t.Fatalf("printed %q", out)
	}
	c.must(t, "staff", "add", "--handle", "cw.salma", "--name", "Salma Benali", "--role", "caseworker")
	list := c.must(t, "staff", "list")
	lines := strings.Split(strings.TrimSpace(list), "\n")
	want := []string{
		`^HANDLE\s+NAME\s+ROLE\s+SUPERVISOR\s+LANGUAGE\s+TELEGRAM$`,
		`^cw.salma\s+Salma Benali\s+caseworker\s+sup.karim\s+fr\s+yes$`,
		`^sup.karim\s+Karim A.\s+supervisor\s+-\s+ar\s+no$`,
	}
	if len(lines) != len(want) {
		t.Fatalf("list:\n%s", list)
	}
	for i, w := range want {
		if !regexp.MustCompile(w).MatchString(lines[i]) {
			t.Errorf("line %d %q does not match %s", i, lines[i], w)
		}
	}
	if n := c.count(t, `SELECT count(*) FROM audit_log WHERE action LIKE 'staff.%' AND actor = 'cli:tester'`); n != 4 {
		t.Fatalf("%d staff audit rows, want 4", n)
	}
}

func TestStaffAddNamesTheBadFlag(t *testing.T) {
	c := newCLI(t)
	c.must(t, "staff", "add", "--handle", "cw.a", "--name", "A", "--role", "caseworker", "--telegram-id", "77")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--handle", "cw.x", "--name", "X", "--role", "boss"}, `--role "boss"`},
		{[]string{"--handle", "CW X", "--name", "X", "--role", "caseworker"}, `--handle "CW X"`},
		{[]string{"--handle", "cw.x", "--name", "X", "--role", "caseworker", "--language", "de"}, `--language "de"`},
		{[]string{"--handle", "cw.x", "--name", "X", "--role", "caseworker", "--telegram-id", "abc"}, `--telegram-id "abc"`},
		{[]string{"--handle", "cw.x", "--role", "caseworker"}, "missing --name"},
	}
	for _, tc := range cases {
		_, err := c.run(append([]string{"staff", "add"}, tc.args...)...)
		if exitCode(err) != 2 || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err %v, want usage error with %q", tc.args, err, tc.want)
		}
	}
	_, err := c.run("staff", "add", "--handle", "cw.x", "--name", "X", "--role", "caseworker", "--supervisor", "nobody")
	if err == nil || !strings.Contains(err.Error(), `supervisor "nobody": no staff with that handle`) {
		t.Fatalf("unknown supervisor: %v", err)
	}
	_, err = c.run("staff", "add", "--handle", "cw.b", "--name", "B", "--role", "caseworker", "--telegram-id", "77")
	if err == nil || !strings.Contains(err.Error(), "already linked to another staff member") {
		t.Fatalf("telegram id twice: %v", err)
	}
}

func TestStaffInvite(t *testing.T) {
	c := newCLI(t)
	c.vars["SUIVI_BOT_USERNAME"] = "SuiviStaffBot"
	qr := filepath.Join(t.TempDir(), "staff.png")
	out := c.must(t, "staff", "invite", "--handle", "mgr.nadia", "--role", "manager", "--qr", qr)
	m := linkPattern.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "created staff mgr.nadia (manager)") {
		t.Fatalf("printed %q", out)
	}
	if png, err := os.ReadFile(qr); err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("QR file: %v", err)
	}
	s, err := storage.StaffByHandle(context.Background(), c.db, "mgr.nadia")
	if err != nil || s.Role != "manager" {
		t.Fatalf("staff %+v, %v", s, err)
	}
	inv, err := storage.RedeemInvitation(context.Background(), c.db, m[2], 99, c.env.Now())
	if err != nil || inv.StaffID == nil || *inv.StaffID != s.ID {
		t.Fatalf("redeem: %+v, %v", inv, err)
	}
	again := c.must(t, "staff", "invite", "--handle", "mgr.nadia", "--role", "manager")
	if strings.Contains(again, "created staff") || !linkPattern.MatchString(again) {
		t.Fatalf("second invite printed %q", again)
	}
	_, err = c.run("staff", "invite", "--handle", "mgr.nadia", "--role", "admin")
	if err == nil || !strings.Contains(err.Error(), "mgr.nadia is a manager") {
		t.Fatalf("role change through invite: %v", err)
	}
	if _, err := c.run("staff", "invite", "--handle", "x"); exitCode(err) != 2 {
		t.Fatalf("missing role: %v", err)
	}
	if n := c.count(t, `SELECT count(*) FROM staff`); n != 1 {
		t.Fatalf("%d staff rows, want 1", n)
	}
}
