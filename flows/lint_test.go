package flows

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// TestLintCatchesEachError runs the lint over small broken definitions, one
// mistake each, and expects exactly the listed problems, with file and line.
func TestLintCatchesEachError(t *testing.T) {
	want := []struct {
		file string
		line int
		msg  string
	}{
		{"bad_condition.yaml", 16, `condition "q1 ==": column 6: the condition ends too early`},
		{"bad_yaml.yaml", 7, "bad YAML"},
		{"bounds.yaml", 6, "bounds min 10 > max 5"},
		{"cycle.yaml", 18, "cycle in branching: q1 → q2 → q1"},
		{"dup_flow.yaml", 1, `duplicate flow id "dup_flow" version 1`},
		{"duplicate_option.yaml", 14, `duplicate option value "a"`},
		{"duplicate_question.yaml", 14, `duplicate question id "q1"`},
		{"later_reference.yaml", 8, `"q2" is asked later, so it has no answer yet here`},
		{"later_reference.yaml", 8, `"q2" has several answers: compare with includes`},
		{"later_reference.yaml", 20, `"q2" has several answers: compare with includes`},
		{"misnamed.yaml", 1, `file name does not match flow id "other_id"`},
		{"missing_translation.yaml", 9, "missing translation: no ar"},
		{"payload_budget.yaml", 12, "is 58 bytes, over the budget of 48"},
		{"score_range.yaml", 10, `score 1.5 outside [0,1]`},
		{"texts.yaml", 1, `greeting: en has placeholders "", fr has "%s"`},
		{"texts.yaml", 6, "missing translation: no en"},
		{"unclosed.yaml", 8, "bad YAML"},
		{"unisolated.yaml", 10, `Arabic text: "2" is not isolated`},
		{"unknown_category.yaml", 15, `unknown alert category "danger"`},
		{"unknown_field.yaml", 14, `unknown field "colour"`},
		{"unknown_question.yaml", 16, `unknown question or value "q9"`},
		{"unknown_severity.yaml", 15, `unknown severity "critical"`},
		{"unknown_type.yaml", 6, `unknown question type "slider"`},
		{"unknown_value.yaml", 16, `unknown value "c" for question "q1"`},
		{"unreachable.yaml", 16, `unreachable question "q2"`},
	}
	got := Lint(os.DirFS("testdata/lint"))
	if len(got) != len(want) {
		for _, p := range got {
			t.Log(p)
		}
		t.Fatalf("got %d problems, want %d", len(got), len(want))
	}
	for i, w := range want {
		p := got[i]
		if p.File != w.file || p.Line != w.line || !strings.Contains(p.Message, w.msg) {
			t.Errorf("problem %d = %s\nwant %s:%d: …%s…", i, p, w.file, w.line, w.msg)
		}
		if p.Fix == "" && !strings.Contains(p.Message, "does not match") {
			t.Errorf("problem %s has no fix", p)
		}
	}
}

func TestProblemString(t *testing.T) {
	p := Problem{File: "a.yaml", Line: 3, Message: "unknown field \"x\"", Fix: "remove it"}
	if got, want := p.String(), `a.yaml:3: unknown field "x" — fix: remove it`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestLoadRefusesProblems checks that Load lists the same messages as Lint.
func TestLoadRefusesProblems(t *testing.T) {
	fsys := os.DirFS("testdata/lint")
	_, err := Load(fsys)
	var lerr *LintError
	if !errors.As(err, &lerr) {
		t.Fatalf("Load error = %v, want a *LintError", err)
	}
	problems := Lint(fsys)
	for _, p := range problems {
		if !strings.Contains(err.Error(), p.String()) {
			t.Errorf("Load error lacks %s", p)
		}
	}
	if len(lerr.Problems) != len(problems) {
		t.Errorf("Load has %d problems, Lint %d", len(lerr.Problems), len(problems))
	}
}

func TestEmbeddedDefinitionsAreClean(t *testing.T) {
	for _, p := range Lint(EmbeddedFS()) {
		t.Error(p)
	}
	c, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range c.List() {
		ids = append(ids, d.ID)
	}
	if got, want := strings.Join(ids, " "), "onboarding project_checkin reintegration_survey satisfaction wellbeing"; got != want {
		t.Errorf("flows = %s, want %s", got, want)
	}
}

func TestLintSchedule(t *testing.T) {
	c, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id      string
		trigger string
		months  string
	}{
		{"onboarding", "enrolment", "[]"},
		{"project_checkin", "return", "[1 2 3 4 5 6 7 8 9 10 11 12]"},
		{"wellbeing", "return", "[1 3 6 9 12]"},
		{"reintegration_survey", "return", "[6 12]"},
		{"satisfaction", "return", "[12]"},
	}
	for _, tt := range tests {
		d, ok := c.Latest(tt.id)
		if !ok {
			t.Fatalf("no flow %s", tt.id)
		}
		if d.Schedule.Trigger != tt.trigger || fmtInts(d.Schedule.Months) != tt.months {
			t.Errorf("%s schedule = %+v, want %s %s", tt.id, d.Schedule, tt.trigger, tt.months)
		}
	}
}

// A translation that drops or invents a {placeholder} is refused with its
// line: without {emergency_contacts} a returnee in danger gets no numbers.
func TestLintPlaceholders(t *testing.T) {
	src := "id: t\nversion: 1\ntitle: {fr: T, ar: ت, en: T}\nschedule: {trigger: manual}\nquestions:\n" +
		"  - id: q\n    type: yesno\n    text: {fr: Q, ar: س, en: Q}\nalerts:\n  - id: a\n    when: q == \"yes\"\n    category: safety\n    severity: urgent\n" +
		"    message: {fr: M, ar: م, en: M}\n    reply:\n      fr: \"Appelez : {emergency_contacts}.\"\n      ar: \"اتصل.\"\n      en: \"Call: {emergency_contact}.\"\n"
	_, problems := ParseDefinition("t.yaml", []byte(src))
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{"t.yaml:17: the ar text has placeholders [], fr has [{emergency_contacts}]", "t.yaml:18: unknown placeholder {emergency_contact} in the en text"} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
}
