package flows

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestReuseWithinFourteenDays(t *testing.T) {
	def := flow(t, "reintegration_survey")
	_, all := def.QuestionCount(nil)
	for _, tt := range []struct {
		name  string
		age   time.Duration
		value Value
		reuse bool
	}{
		{"10 days ago: reused", 10 * 24 * time.Hour, Value{Kind: KindOption, Option: "sometimes"}, true},
		{"exactly 14 days ago: reused", 14 * 24 * time.Hour, Value{Kind: KindOption, Option: "sometimes"}, true},
		{"15 days ago: asked again", 15 * 24 * time.Hour, Value{Kind: KindOption, Option: "sometimes"}, false},
		{"skipped: asked again", 24 * time.Hour, Value{Kind: KindSkipped}, false},
		{"itself reused: asked again", 24 * time.Hour, Value{Kind: KindOption, Option: "yes", Reused: true}, false},
		{"not an option here: asked again", 24 * time.Hour, Value{Kind: KindOption, Option: "operating"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := testEnv()
			env.Recent = map[string]RecentAnswer{"work_status": {Value: tt.value, At: testNow.Add(-tt.age)}}
			res := Start(def, "en", env)
			asked := res.State.Current
			if tt.reuse {
				if asked != "eco_sources" {
					t.Fatalf("first question %q, want eco_work passed over", asked)
				}
				if len(res.Answers) != 1 || res.Answers[0].QuestionID != "eco_work" || !res.Answers[0].Value.Reused ||
					res.Answers[0].Value.Option != tt.value.Option || res.Answers[0].Score == nil || *res.Answers[0].Score != 0.5 {
					t.Errorf("answers %+v, want eco_work reused with its score", res.Answers)
				}
				if want := Minutes(all - 1); !contains(res.Messages[0].Text, DefaultTexts().Duration("en", want)) {
					t.Errorf("intro %q, want the duration of %d questions", res.Messages[0].Text, all-1)
				}
			} else if asked != "eco_work" || len(res.Answers) != 0 {
				t.Errorf("asked %q with answers %+v, want eco_work asked", asked, res.Answers)
			}
		})
	}
}

// A reused answer made later in the flow (psy_distress) is given when the
// conversation reaches it, and counts for the dimension.
func TestReusedAnswerLaterInTheFlowCountsForScores(t *testing.T) {
	def := flow(t, "reintegration_survey")
	env := testEnv()
	env.Recent = map[string]RecentAnswer{"distress": {Value: Value{Kind: KindOption, Option: "often"}, At: testNow.Add(-48 * time.Hour)}}
	res := Start(def, "fr", env)
	for steps := 0; !res.Finished && steps < 30; steps++ {
		q, _ := def.Question(res.State.Current)
		if q.ID == "psy_distress" {
			t.Fatal("psy_distress asked although answered two days ago")
		}
		res = Step(def, res.State, press(q.ID, q.Options[0].Value), env)
		for _, a := range res.Alerts {
			if a.RuleID == "distress_often" && a.Severity != "medium" {
				t.Errorf("distress alert %+v", a)
			}
		}
	}
	if !res.Finished || res.State.Answers["psy_distress"].Option != "often" || !res.State.Answers["psy_distress"].Reused {
		t.Fatalf("final state %+v", res.State)
	}
	if !contains(res.State.Fired, "distress_often") {
		t.Errorf("fired %v, want distress_often from the reused answer", res.State.Fired)
	}
	if v, ok := res.State.Computed["psychosocial"]; !ok || !near(v, 0.8) {
		t.Errorf("psychosocial = %v (%v), want 0.8 with distress reused at 0 (4 of 5)", v, ok)
	}
}

func TestQuestionCount(t *testing.T) {
	least, most := flow(t, "wellbeing").QuestionCount(nil)
	if least != 5 || most != 8 {
		t.Errorf("wellbeing asks %d to %d, want 5 to 8", least, most)
	}
	least, most = flow(t, "reintegration_survey").QuestionCount(func(k string) bool { return k == "food" || k == "distress" })
	if least != 14 || most != 14 {
		t.Errorf("reintegration with food and distress reused asks %d to %d, want 14", least, most)
	}
	for n, want := range map[int]int{0: 1, 3: 1, 4: 2, 6: 2, 8: 3, 16: 6} {
		if got := Minutes(n); got != want {
			t.Errorf("Minutes(%d) = %d, want %d", n, got, want)
		}
	}
	ar := DefaultTexts()
	for m, want := range map[int]string{1: "دقيقة واحدة", 2: "دقيقتان", 3: "\u20683\u2069 دقائق", 11: "\u206811\u2069 دقيقة"} {
		if got := ar.Duration("ar", m); got != want {
			t.Errorf("Duration(ar, %d) = %q, want %q", m, got, want)
		}
	}
}

func TestReuseKeys(t *testing.T) {
	keys := flow(t, "reintegration_survey").ReuseKeys()
	if len(keys) != 3 || keys["work_status"] != 14*24*time.Hour || keys["food"] != 14*24*time.Hour || keys["distress"] != 14*24*time.Hour {
		t.Errorf("reuse keys %v", keys)
	}
	if keys := flow(t, "wellbeing").ReuseKeys(); len(keys) != 1 || keys["distress"] != 14*24*time.Hour {
		t.Errorf("wellbeing reuse keys %v, want distress (handed on by PHQ-2 item 2)", keys)
	}
}

// What a nearby question hands on: a running project is work, a closed one
// says nothing; feeling down most days is often distressed, a few days says
// nothing of stress.
func TestSharedValue(t *testing.T) {
	c := embeddedCatalog(t)
	for _, tt := range []struct {
		flow, q string
		in      Value
		want    string // "" not handed on
	}{
		{"project_checkin", "status", Value{Kind: KindOption, Option: "operating"}, "yes"},
		{"project_checkin", "status", Value{Kind: KindOption, Option: "closed"}, ""},
		{"project_checkin", "status", Value{Kind: KindOption, Option: "paused"}, ""},
		{"wellbeing", "phq2_2", Value{Kind: KindNumber, Number: 3}, "often"},
		{"wellbeing", "phq2_2", Value{Kind: KindNumber, Number: 2}, "often"},
		{"wellbeing", "phq2_2", Value{Kind: KindNumber, Number: 1}, ""},
		{"reintegration_survey", "eco_food", Value{Kind: KindOption, Option: "sometimes"}, "sometimes"},
		{"wellbeing", "who5_1", Value{Kind: KindNumber, Number: 3}, ""},
	} {
		got, ok := c.SharedValue(tt.flow, tt.q, tt.in)
		if ok != (tt.want != "") || got.Option != tt.want {
			t.Errorf("%s/%s %+v: %+v %v, want %q", tt.flow, tt.q, tt.in, got, ok, tt.want)
		}
	}
	// A question that only hands on is always asked.
	if least, most := flow(t, "project_checkin").QuestionCount(func(string) bool { return true }); least != 3 || most != 6 {
		t.Errorf("project check-in asks %d to %d with every key reused, want 3 to 6", least, most)
	}
	srcs, _ := c.ReuseSources(flow(t, "reintegration_survey"))
	if !slices.Contains(srcs["work_status"], "project_checkin/status") || !slices.Contains(srcs["distress"], "wellbeing/phq2_2") ||
		!slices.Contains(srcs["food"], "reintegration_survey/eco_food") {
		t.Errorf("reuse sources %v", srcs)
	}
}

func TestReuseLint(t *testing.T) {
	bad := []string{
		"reuse_key: work_status\n", // without reuse_within
		"reuse_key: work_status\n    reuse_within: soon\n",
		"reuse_key: Work\n    reuse_within: 14d\n",
	}
	for _, extra := range bad {
		src := "id: t\nversion: 1\ntitle: {fr: T, ar: ت, en: T}\nschedule: {trigger: manual}\nquestions:\n  - id: q\n    type: yesno\n    " + extra +
			"    text: {fr: Q, ar: س, en: Q}\n"
		if _, problems := ParseDefinition("t.yaml", []byte(src)); len(problems) == 0 {
			t.Errorf("accepted %q", extra)
		}
	}
}

func contains(s any, x string) bool {
	switch v := s.(type) {
	case string:
		return strings.Contains(v, x)
	case []string:
		return slices.Contains(v, x)
	}
	return false
}

// Two flows sharing a reuse key must ask for the same kind of answer.
func TestReuseKeyAcrossFlowsNeedsTheSameOptions(t *testing.T) {
	def := func(id, opts string) []byte {
		return []byte("id: " + id + "\nversion: 1\ntitle: {fr: T, ar: ت, en: T}\nschedule: {trigger: manual}\nquestions:\n" +
			"  - id: work\n    type: single\n    reuse_key: work_status\n    reuse_within: 14d\n    text: {fr: Q, ar: س, en: Q}\n    options:\n" + opts)
	}
	opt := func(v string) string { return "      - {value: " + v + ", label: {fr: L, ar: ل, en: L}}\n" }
	same := fstest.MapFS{"a.yaml": {Data: def("a", opt("yes")+opt("no"))}, "b.yaml": {Data: def("b", opt("no")+opt("yes"))}}
	if problems := Lint(same); len(problems) != 0 {
		t.Errorf("same options refused: %v", problems)
	}
	mapped := fstest.MapFS{"a.yaml": {Data: def("a", opt("yes")+opt("no"))},
		"b.yaml": {Data: []byte(strings.Replace(string(def("b", opt("on")+opt("off"))), "reuse_within: 14d", "reuse_within: 14d\n    reuse_as: {on: maybe}", 1))}}
	if problems := Lint(mapped); len(problems) != 1 || !strings.Contains(problems[0].Message, `"maybe"`) {
		t.Errorf("reuse_as to a value a.yaml lacks: %v", problems)
	}
	other := fstest.MapFS{"a.yaml": {Data: def("a", opt("yes")+opt("no"))}, "b.yaml": {Data: def("b", opt("yes")+opt("sometimes"))}}
	problems := Lint(other)
	if len(problems) != 1 || problems[0].File != "b.yaml" || !strings.Contains(problems[0].Message, "reuse_key") {
		t.Errorf("problems %v, want one on b.yaml naming the reuse key", problems)
	}
}

func TestFreeTextOnlyOnChoiceQuestions(t *testing.T) {
	src := "id: t\nversion: 1\ntitle: {fr: T, ar: ت, en: T}\nschedule: {trigger: manual}\nquestions:\n  - id: q\n    type: number\n    free_text: true\n    text: {fr: Q, ar: س, en: Q}\n"
	if _, problems := ParseDefinition("t.yaml", []byte(src)); len(problems) != 1 || !strings.Contains(problems[0].Message, "free_text") {
		t.Errorf("problems %v, want free_text refused on a number", problems)
	}
}
