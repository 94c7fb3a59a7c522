package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"suivi/flows"
)

// textsCLI runs commands without a database: the texts commands need none.
type textsCLI struct {
	out, errOut bytes.Buffer
	env         *Env
}

func newTextsCLI() *textsCLI {
	c := &textsCLI{}
	c.env = &Env{Stdout: &c.out, Stderr: &c.errOut, Getenv: func(string) string { return "" },
		Now: func() time.Time { return time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC) }}
	return c
}

func (c *textsCLI) run(args ...string) error {
	c.out.Reset()
	c.errOut.Reset()
	return Run(context.Background(), c.env, args)
}

// copyEmbedded fills dir with the embedded definitions and returns them.
func copyEmbedded(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	names, _ := fs.Glob(flows.EmbeddedFS(), "*.yaml")
	for _, n := range names {
		data, err := fs.ReadFile(flows.EmbeddedFS(), n)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
		files[n] = data
	}
	return files
}

// sameFiles fails unless dir holds exactly want, byte for byte.
func sameFiles(t *testing.T, dir string, want map[string][]byte) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(want) {
		t.Errorf("%d files in %s, want %d", len(entries), dir, len(want))
	}
	for name, data := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s changed (err %v)", name, err)
		}
	}
}

func TestFlowsTextsRoundTripUnchanged(t *testing.T) {
	for _, format := range []string{"po", "csv"} {
		for _, lang := range []string{"ar", "fr", "en"} {
			t.Run(format+"/"+lang, func(t *testing.T) {
				c := newTextsCLI()
				dir := t.TempDir()
				orig := copyEmbedded(t, dir)
				file := filepath.Join(t.TempDir(), "texts."+format)
				if err := c.run("flows", "texts", "export", "--dir", dir, "--lang", lang, "--format", format, "-o", file); err != nil {
					t.Fatal(err)
				}
				if err := c.run("flows", "texts", "import", "--dir", dir, file); err != nil {
					t.Fatalf("import: %v", err)
				}
				if !strings.Contains(c.out.String(), " 0 changed in 0 file(s)") {
					t.Errorf("import said %q", c.out.String())
				}
				sameFiles(t, dir, orig)

				// Every text of every flow is in the file, once.
				entries, err := flows.ExtractTexts(orig)
				if err != nil {
					t.Fatal(err)
				}
				data, _ := os.ReadFile(file)
				for _, e := range entries {
					if n := strings.Count(string(data), e.Context); n < 1 {
						t.Errorf("%s missing from the export", e.Context)
					}
				}
				if len(entries) < 300 {
					t.Errorf("only %d texts exported", len(entries))
				}
				// Nothing to change and no folder copy: an empty folder stays empty.
				empty := t.TempDir()
				if err := c.run("flows", "texts", "import", "--dir", empty, file); err != nil {
					t.Fatal(err)
				}
				sameFiles(t, empty, nil)
			})
		}
	}
}

// setPO replaces the msgstr of ctx and returns the file and the msgstr's line.
func setPO(t *testing.T, po, ctx, msgstr string) (string, int) {
	t.Helper()
	lines := strings.Split(po, "\n")
	for i, l := range lines {
		if l == "msgctxt "+poQuote(ctx) {
			for j := i + 1; j < len(lines); j++ {
				if strings.HasPrefix(lines[j], "msgstr ") {
					lines[j] = "msgstr " + msgstr
					return strings.Join(lines, "\n"), j + 1
				}
			}
		}
	}
	t.Fatalf("no %s in the PO file", ctx)
	return "", 0
}

func TestFlowsTextsImportWritesATranslation(t *testing.T) {
	c := newTextsCLI()
	dir := t.TempDir()
	orig := copyEmbedded(t, dir)
	po := filepath.Join(t.TempDir(), "ar.po")
	if err := c.run("flows", "texts", "export", "--dir", dir, "--lang", "ar", "-o", po); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(po)
	newWho5 := "خلال الأسبوعين الماضيين، كنت \"مبتهجًا\" أو مبتهجة.\nسطر ثانٍ مع \u2068WHO-5\u2069."
	edited, _ := setPO(t, string(data), "wellbeing/questions/who5_1/text", poQuote(newWho5))
	edited, _ = setPO(t, edited, "texts/reminder", poQuote("تذكير: متابعة في انتظارك. المدة حوالي %s."))
	if err := os.WriteFile(po, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.run("flows", "texts", "import", "--dir", dir, po); err != nil {
		t.Fatalf("import: %v", err)
	}
	if !strings.Contains(c.out.String(), "2 changed in 2 file(s)") {
		t.Errorf("import said %q", c.out.String())
	}
	cat, err := flows.LoadDir(dir)
	if err != nil {
		t.Fatalf("the folder no longer loads: %v", err)
	}
	def, _ := cat.Latest("wellbeing")
	q, _ := def.Question("who5_1")
	if q.Text["ar"] != newWho5 || q.Text["fr"] != "Ces deux dernières semaines, je me suis senti(e) bien et de bonne humeur." {
		t.Errorf("who5_1 now %q", q.Text)
	}
	if got := cat.Texts.Get("ar", "reminder", "x"); got != "تذكير: متابعة في انتظارك. المدة حوالي x." {
		t.Errorf("reminder now %q", got)
	}
	// Only the two lines changed.
	for name, want := range map[string]int{"wellbeing.yaml": 1, "texts.yaml": 1, "onboarding.yaml": 0} {
		got, _ := os.ReadFile(filepath.Join(dir, name))
		a, b := strings.Split(string(orig[name]), "\n"), strings.Split(string(got), "\n")
		diff := 0
		for i := range a {
			if i < len(b) && a[i] != b[i] {
				diff++
			}
		}
		if len(a) != len(b) || diff != want {
			t.Errorf("%s: %d lines changed (%d → %d lines), want %d", name, diff, len(a), len(b), want)
		}
	}
	// Exported again, the new text comes back as imported, and a second
	// import changes nothing.
	again := filepath.Join(t.TempDir(), "again.po")
	if err := c.run("flows", "texts", "export", "--dir", dir, "--lang", "ar", "-o", again); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(again); !strings.Contains(string(data), "msgstr "+poQuote(newWho5)) {
		t.Error("the new text does not come back in the export")
	}
	if err := c.run("flows", "texts", "import", "--dir", dir, again); err != nil || !strings.Contains(c.out.String(), " 0 changed") {
		t.Errorf("second import: %v %q", err, c.out.String())
	}
}

// A literal block (the consent) keeps its form when its text changes.
func TestFlowsTextsImportKeepsLiteralBlocks(t *testing.T) {
	c := newTextsCLI()
	dir := t.TempDir()
	copyEmbedded(t, dir)
	file := filepath.Join(t.TempDir(), "fr.csv")
	if err := c.run("flows", "texts", "export", "--dir", dir, "--lang", "fr", "--format", "csv", "-o", file); err != nil {
		t.Fatal(err)
	}
	rows := readRows(t, file)
	consent := ""
	for _, r := range rows {
		if r[0] == "onboarding/questions/consent/text" {
			r[len(r)-1] = strings.Replace(r[len(r)-1], "Êtes-vous d'accord ?", "Êtes-vous d'accord avec tout cela ?", 1)
			consent = r[len(r)-1]
		}
	}
	writeRows(t, file, rows)
	if err := c.run("flows", "texts", "import", "--dir", dir, file); err != nil {
		t.Fatal(err)
	}
	cat, err := flows.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	def, _ := cat.Latest("onboarding")
	q, _ := def.Question("consent")
	if q.Text["fr"] != consent {
		t.Errorf("consent now %q", q.Text["fr"])
	}
	data, _ := os.ReadFile(filepath.Join(dir, "onboarding.yaml"))
	if !strings.Contains(string(data), "      fr: |-\n        Suivi vous accompagne") || !strings.Contains(string(data), "\n        Êtes-vous d'accord avec tout cela ?\n") {
		t.Errorf("the consent is no longer a literal block:\n%s", data)
	}
}

func readRows(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func writeRows(t *testing.T, path string, rows [][]string) {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFlowsTextsImportRefusesBrokenTranslations(t *testing.T) {
	tests := []struct {
		name, ctx, msgstr string
		want              []string // in the error, besides the PO file and line
	}{
		{"emergency contacts dropped", "wellbeing/alerts/safety/reply", poQuote("شكرًا لأنك أخبرتني. سيتصل بك شخص من الفريق."), []string{"placeholders", "{emergency_contacts}"}},
		{"unknown placeholder", "wellbeing/intro", poQuote("مرحبًا! حوالي {duration} و{x}."), []string{"placeholders", "{x}"}},
		{"format verb dropped", "texts/reminder", poQuote("تذكير صغير."), []string{"placeholders", "%s"}},
		{"empty", "wellbeing/questions/who5_2/text", `""`, []string{"empty translation"}},
		{"Latin not isolated in Arabic", "wellbeing/questions/who5_2/text", poQuote("شعرت بالهدوء WHO-5 ok"), []string{"wellbeing.yaml", "Arabic text"}},
		{"unknown text", "wellbeing/questions/who5_9/text", poQuote("نص"), []string{"no text of the flows"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTextsCLI()
			dir := t.TempDir()
			orig := copyEmbedded(t, dir)
			po := filepath.Join(t.TempDir(), "ar.po")
			if err := c.run("flows", "texts", "export", "--dir", dir, "--lang", "ar", "-o", po); err != nil {
				t.Fatal(err)
			}
			data, _ := os.ReadFile(po)
			var edited string
			var line int
			if tt.name == "unknown text" {
				edited, line = string(data)+"\nmsgctxt "+poQuote(tt.ctx)+"\nmsgid \"x\"\nmsgstr "+tt.msgstr+"\n", strings.Count(string(data), "\n")+4
			} else {
				edited, line = setPO(t, string(data), tt.ctx, tt.msgstr)
			}
			if err := os.WriteFile(po, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			err := c.run("flows", "texts", "import", "--dir", dir, po)
			if err == nil {
				t.Fatal("a broken translation was imported")
			}
			msg := err.Error()
			for _, w := range append(tt.want, fmt.Sprintf("%s:%d", po, line), "nothing written") {
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %q:\n%s", w, msg)
				}
			}
			sameFiles(t, dir, orig)
		})
	}
}

func TestFlowsTextsImportNeedsAFolder(t *testing.T) {
	c := newTextsCLI()
	po := filepath.Join(t.TempDir(), "ar.po")
	if err := c.run("flows", "texts", "export", "--lang", "ar", "-o", po); err != nil {
		t.Fatal(err)
	}
	err := c.run("flows", "texts", "import", po)
	if err == nil || !strings.Contains(err.Error(), "SUIVI_FLOWS_DIR") || exitCode(err) != 2 {
		t.Errorf("import without a folder: %v", err)
	}
}
