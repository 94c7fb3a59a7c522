package flows

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVersionKept: a check-in started with version 1 goes on with version 1
// after version 2 is loaded, while new check-ins get version 2.
func TestVersionKept(t *testing.T) {
	c, err := Load(os.DirFS("testdata/versions"))
	if err != nil {
		t.Fatal(err)
	}
	v1, ok1 := c.Get("visit", 1)
	v2, ok2 := c.Get("visit", 2)
	latest, _ := c.Latest("visit")
	if !ok1 || !ok2 || latest != v2 {
		t.Fatalf("versions: v1 %v, v2 %v, latest v%d", ok1, ok2, latest.Version)
	}
	if _, ok := c.Get("visit", 3); ok {
		t.Error("Get of a version that does not exist")
	}
	env := testEnv()
	st := Step(v1, Start(v1, "en", env).State, press("came", "yes"), env).State // started with v1
	if st.Version != 1 || st.Current != "when" {
		t.Fatalf("v1 state %+v", st)
	}
	def, ok := c.Get(st.FlowID, st.Version)
	if !ok {
		t.Fatal("the version in progress is gone")
	}
	res := Step(def, st, typed("15/03/2026"), env) // v1's "when" is a date
	if !res.Finished || res.Messages[0].Text != "Thanks v1" || res.Answers[0].Value.Date != "2026-03-15" {
		t.Errorf("v1 goes on as v1: %+v", res)
	}
	if res := Step(latest, st, typed("15/03/2026"), env); !res.Ignored {
		t.Errorf("a v1 state stepped with v2: %+v", res)
	}
	if got := Start(latest, "en", env).State.Version; got != 2 {
		t.Errorf("a new check-in starts with v%d", got)
	}
	list := c.List()
	if len(list) != 2 || list[0] != v1 || list[1] != v2 {
		t.Errorf("List() = %v", list)
	}
}

// TestLoadDirOverrides: a file of the override directory with the same id
// and version replaces the embedded one, another version is added next to
// it, and texts keys are replaced one by one.
func TestLoadDirOverrides(t *testing.T) {
	c, err := LoadDir("testdata/override")
	if err != nil {
		t.Fatal(err)
	}
	v1, ok1 := c.Get("project_checkin", 1)
	v2, ok2 := c.Get("project_checkin", 2)
	if !ok1 || !ok2 {
		t.Fatalf("project_checkin v1 %v, v2 %v", ok1, ok2)
	}
	if latest, _ := c.Latest("project_checkin"); latest != v2 {
		t.Errorf("latest is v%d", latest.Version)
	}
	if _, ok := v2.Question("employees"); ok {
		t.Error("v2 has the question it removed")
	}
	if _, ok := v1.Question("employees"); !ok {
		t.Error("embedded v1 lost a question")
	}
	if _, ok := c.Latest("wellbeing"); !ok {
		t.Error("embedded flows missing after override")
	}
	if got := c.Texts.Get("en", "reminder"); !strings.Contains(got, "Oujda") {
		t.Errorf("reminder = %q, want the override", got)
	}
	if got := c.Texts.Get("en", "help_button"); got != "Talk to my case worker" {
		t.Errorf("help_button = %q, want the embedded text", got)
	}
	if _, err := LoadDir(""); err != nil {
		t.Errorf("LoadDir(\"\"): %v", err)
	}
}

func TestLoadDirErrors(t *testing.T) {
	if _, err := LoadDir("testdata/does-not-exist"); err == nil {
		t.Error("missing directory accepted")
	}
	dir := t.TempDir()
	bad := "id: wellbeing\nversion: 1\ntitle: {fr: a, ar: ب, en: c}\nschedule: {trigger: manual}\nquestions:\n  - id: q\n    type: slider\n    text: {fr: a, ar: ب, en: c}\n"
	if err := os.WriteFile(filepath.Join(dir, "wellbeing.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadDir(dir)
	want := filepath.Join(dir, "wellbeing.yaml") + `:6: question "q": unknown question type "slider"`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want it to contain %s", err, want)
	}
}
