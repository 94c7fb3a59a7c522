package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
)

// pdfPages counts a PDF's pages and the images (QR codes) on each.
func pdfPages(t *testing.T, path string) []int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	images, err := api.Images(f, nil, nil)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	counts := make([]int, len(images))
	for i, m := range images {
		counts[i] = len(m)
	}
	if _, err := f.Seek(0, 0); err != nil {
		t.Fatal(err)
	}
	if n, err := api.PageCount(f, nil); err != nil || n != len(counts) {
		t.Fatalf("%d pages, %v; images on %d", n, err, len(counts))
	}
	return counts
}

func (c *cli) tokens(t *testing.T) []string {
	t.Helper()
	rows, err := c.db.Query(`SELECT token FROM invitations WHERE used_at IS NULL AND expires_at > '2018-07-15 10:00+00' ORDER BY token`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func TestInvitePendingCards(t *testing.T) {
	c := newCLI(t)
	c.vars["SUIVI_BOT_USERNAME"] = "suivi_test_bot"
	c.addFixtureStaff(t)
	c.must(t, "returnees", "import", fixtureCSV)
	// Two already follow on Telegram and one was deleted at their request: no card for them.
	if _, err := c.db.Exec(`UPDATE returnees SET consent = 'accepted', telegram_id = 900 + id WHERE ref IN ('MA-2018-0001', 'MA-2018-0002')`); err != nil {
		t.Fatal(err)
	}
	if _, err := c.db.Exec(`UPDATE returnees SET status = 'deleted' WHERE ref = 'MA-2018-0003'`); err != nil {
		t.Fatal(err)
	}
	// One was invited one at a time just before (still valid), one two months ago (expired).
	c.must(t, "returnees", "invite", "--ref", "MA-2018-0004")
	if _, err := c.db.Exec(`INSERT INTO invitations (token, returnee_id, expires_at, created_at)
		SELECT 'old-token', id, '2018-06-14', '2018-05-15' FROM returnees WHERE ref = 'MA-2018-0005'`); err != nil {
		t.Fatal(err)
	}
	earlier := c.tokens(t)
	salma := c.count(t, `SELECT count(*) FROM returnees r JOIN staff s ON s.id = r.caseworker_id
		WHERE s.handle = 'cw.salma' AND r.consent = 'pending' AND r.status <> 'deleted'`)
	dir := t.TempDir()

	path := filepath.Join(dir, "salma.pdf")
	out := c.must(t, "returnees", "invite", "--pending", "--caseworker", "cw.salma", "--pdf", path)
	pages := pdfPages(t, path)
	if len(pages) != (salma+7)/8 || pages[0] != 8 || pages[len(pages)-1] != salma-8*(len(pages)-1) {
		t.Fatalf("QR codes per page %v for %d cards", pages, salma)
	}
	if !strings.HasPrefix(out, countNoun(salma, "card")+" on "+countNoun(len(pages), "page")) {
		t.Fatalf("printed %q", out)
	}
	if n := c.count(t, `SELECT count(*) FROM returnees r JOIN staff s ON s.id = r.caseworker_id
		WHERE s.handle = 'cw.salma' AND r.consent = 'pending' AND r.status <> 'deleted'
		  AND (SELECT count(*) FROM invitations i WHERE i.returnee_id = r.id AND i.used_at IS NULL AND i.expires_at > '2018-07-15 10:00+00') = 1`); n != salma {
		t.Fatalf("%d of cw.salma's %d pending returnees have exactly one valid invitation", n, salma)
	}

	all := filepath.Join(dir, "all.pdf")
	out = c.must(t, "returnees", "invite", "--pending", "--pdf", all)
	if total := sum(pdfPages(t, all)); total != 80 {
		t.Fatalf("%d cards for everyone, want 83 - 2 enrolled - 1 deleted = 80", total)
	}
	// cw.salma's returnees (MA-2018-0004 among them) have their invitations already.
	if want := fmt.Sprintf("(%d new invitations, %d reused)", 80-salma, salma); !strings.Contains(out, want) {
		t.Fatalf("printed %q, want %q", out, want)
	}
	after := c.tokens(t)
	if len(after) != 80 || !slices.Contains(after, earlier[0]) {
		t.Fatalf("%d valid invitations (want one per card, 80), the earlier one kept: %v", len(after), slices.Contains(after, earlier[0]))
	}
	// Running again changes nothing: the same invitations, the same cards.
	c.must(t, "returnees", "invite", "--pending", "--pdf", all)
	if again := c.tokens(t); !slices.Equal(again, after) {
		t.Fatal("a second run made new invitations instead of reusing them")
	}
	if n := c.count(t, `SELECT count(*) FROM invitations`); n != 80+1 {
		t.Fatalf("%d invitations in all, want 80 valid and the expired one", n)
	}
	if n := c.count(t, `SELECT count(*) FROM audit_log WHERE action = 'returnees.invite_cards' AND at = '2018-07-15 10:00+00'`); n != 3 {
		t.Fatalf("%d audit rows, want 3", n)
	}
	if fi, err := os.Stat(all); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("cards file mode %v, %v: the links are keys", fi.Mode(), err)
	}
}

func TestInvitePendingUsage(t *testing.T) {
	c := newCLI(t)
	c.vars["SUIVI_BOT_USERNAME"] = "suivi_test_bot"
	for _, args := range [][]string{
		{"returnees", "invite", "--pending"},
		{"returnees", "invite", "--pending", "--ref", "MA-1", "--pdf", "x.pdf"},
		{"returnees", "invite", "--ref", "MA-1", "--pdf", "x.pdf"},
	} {
		if _, err := c.run(args...); exitCode(err) != 2 {
			t.Errorf("%v: err %v, want a usage error", args, err)
		}
	}
	path := filepath.Join(t.TempDir(), "none.pdf")
	if out := c.must(t, "returnees", "invite", "--pending", "--pdf", path); !strings.Contains(out, "no card to print") {
		t.Fatalf("printed %q", out)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("an empty card file was written")
	}
	if _, err := c.run("returnees", "invite", "--pending", "--caseworker", "cw.nobody", "--pdf", path); err == nil ||
		!strings.Contains(err.Error(), `no staff with handle "cw.nobody"`) {
		t.Fatalf("unknown case worker: %v", err)
	}
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}
