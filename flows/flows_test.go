package flows

import (
	"slices"
	"strings"
	"testing"
)

var langs = []string{"fr", "ar", "en"}

// TestDefaultFlowsWalkToTheEnd walks every default flow in every language
// with representative answers and checks what it records.
func TestDefaultFlowsWalkToTheEnd(t *testing.T) {
	who5 := func(v string) script {
		return script{"who5_1": press("who5_1", v), "who5_2": press("who5_2", v), "who5_3": press("who5_3", v),
			"who5_4": press("who5_4", v), "who5_5": press("who5_5", v)}
	}
	sat := script{}
	for _, q := range []string{"sat_return", "sat_counselling", "sat_economic", "sat_social", "sat_community", "sat_overall"} {
		sat[q] = press(q, "4")
	}
	sat["sat_community"] = press("sat_community", "not_received")
	reint := script{}
	for _, q := range flow(t, "reintegration_survey").Questions {
		reint[q.ID] = press(q.ID, q.Options[0].Value) // the best answer everywhere
	}
	reint["soc_school"] = press("soc_school", "no_children") // not scored
	reint["eco_debt"] = press("eco_debt", "heavy")           // 0
	reint["psy_safety"] = skip("psy_safety")

	tests := []struct {
		flow      string
		answers   func(lang string) script
		asked     []string
		computed  map[string]float64
		missing   []string // computed values that must not be stored
		alerts    []string
		settings  map[string]string
		endingKey string // a word of the ending in French
	}{
		{
			flow: "onboarding",
			answers: func(lang string) script {
				return script{"language": press("language", lang), "consent": press("consent", "accepted"), "window": press("window", "evening")}
			},
			asked:     []string{"consent", "language", "window"},
			settings:  map[string]string{"consent": "accepted", "window": "17:00-20:00"},
			endingKey: "une fois par mois",
		},
		{
			flow: "project_checkin",
			answers: func(string) script {
				return script{"status": press("status", "operating"), "revenue": typed("1 500 dh"), "covers": press("covers", "no"),
					"employees": typed("2"), "difficulty": press("difficulty", "customers"), "help": press("help", "yes")}
			},
			asked:     []string{"covers", "difficulty", "employees", "help", "revenue", "status"},
			alerts:    []string{"help_wanted"},
			endingKey: "Au mois prochain",
		},
		{
			flow:      "wellbeing",
			answers:   func(string) script { return who5("4") },
			asked:     []string{"who5_1", "who5_2", "who5_3", "who5_4", "who5_5"},
			computed:  map[string]float64{"who5_raw": 20, "who5_percent": 80, "who5_low": 0},
			endingKey: "Merci d'avoir pris ce temps",
		},
		{
			flow: "reintegration_survey",
			answers: func(string) script {
				return reint
			},
			asked: func() []string {
				var ids []string
				for _, q := range flow(t, "reintegration_survey").Questions {
					ids = append(ids, q.ID)
				}
				slices.Sort(ids)
				return ids
			}(),
			// economic: (1+1+1+0+1)/5; social: 4 scored of 5 (school not
			// scored); psychosocial: safety skipped, so the dimension, the
			// composite and the sustainable flag are missing, not partial.
			computed:  map[string]float64{"economic": 0.8, "social": 1},
			missing:   []string{"psychosocial", "composite", "sustainable"},
			endingKey: "Merci beaucoup",
		},
		{
			flow:      "satisfaction",
			answers:   func(string) script { return sat },
			asked:     []string{"sat_community", "sat_counselling", "sat_economic", "sat_overall", "sat_return", "sat_social"},
			endingKey: "Merci pour vos réponses",
		},
	}
	for _, tt := range tests {
		for _, lang := range langs {
			t.Run(tt.flow+"/"+lang, func(t *testing.T) {
				def := flow(t, tt.flow)
				results := walk(t, def, lang, tt.answers(lang))
				answers, computed, alerts, settings := collect(results)
				var asked []string
				for id := range answers {
					asked = append(asked, id)
				}
				if slices.Sort(asked); !slices.Equal(asked, tt.asked) {
					t.Errorf("answered %v, want %v", asked, tt.asked)
				}
				for id, want := range tt.computed {
					if got, ok := computed[id]; !ok || !near(got, want) {
						t.Errorf("computed %s = %v (%v), want %v", id, got, ok, want)
					}
				}
				for _, id := range tt.missing {
					if got, ok := computed[id]; ok {
						t.Errorf("computed %s = %v, want it missing", id, got)
					}
				}
				var fired []string
				for _, a := range alerts {
					fired = append(fired, a.RuleID)
				}
				if !slices.Equal(fired, tt.alerts) {
					t.Errorf("alerts %v, want %v", fired, tt.alerts)
				}
				for k, v := range tt.settings {
					if settings[k] != v {
						t.Errorf("setting %s = %q, want %q", k, settings[k], v)
					}
				}
				if tt.flow == "onboarding" && settings["language"] != lang {
					t.Errorf("language setting %q, want %q", settings["language"], lang)
				}
				wantEnding := endingText(def, lang)
				if got := lastText(results); got != wantEnding {
					t.Errorf("last message %q, want the ending %q", got, wantEnding)
				}
				if lang == "fr" && !strings.Contains(wantEnding, tt.endingKey) {
					t.Errorf("ending %q lacks %q", wantEnding, tt.endingKey)
				}
				final := results[len(results)-1].State
				if !final.Finished || final.Current != "" {
					t.Errorf("final state %+v not finished", final)
				}
			})
		}
	}
}

// endingText is the text of the last (unconditional) ending.
func endingText(def *Definition, lang string) string {
	return def.Endings[len(def.Endings)-1].Text.In(lang)
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestAnswerScoresAndIndicators(t *testing.T) {
	def := flow(t, "satisfaction")
	res := Step(def, Start(def, "fr", testEnv()).State, press("sat_return", "4"), testEnv())
	if len(res.Answers) != 1 {
		t.Fatalf("answers %+v", res.Answers)
	}
	a := res.Answers[0]
	if a.Score == nil || *a.Score != 0.75 || a.Indicator != "satisfaction_return" {
		t.Errorf("answer %+v, want score 0.75 for satisfaction_return", a)
	}
	res = Step(def, res.State, press("sat_counselling", "not_received"), testEnv())
	if a := res.Answers[0]; a.Score != nil {
		t.Errorf("not received scored %v", *a.Score)
	}
}

func TestOnboardingDeclined(t *testing.T) {
	def := flow(t, "onboarding")
	for _, lang := range langs {
		results := walk(t, def, lang, script{"language": press("language", lang), "consent": press("consent", "declined")})
		answers, _, alerts, settings := collect(results)
		if _, asked := answers["window"]; asked {
			t.Errorf("%s: window asked after a refusal", lang)
		}
		if settings["consent"] != "declined" {
			t.Errorf("%s: consent setting %q", lang, settings["consent"])
		}
		if len(alerts) != 1 || alerts[0].Category != "consent_declined" || alerts[0].Severity != "low" || alerts[0].Hold {
			t.Errorf("%s: alerts %+v, want one consent_declined low", lang, alerts)
		}
		if got, want := lastText(results), def.Endings[0].Text.In(lang); got != want {
			t.Errorf("%s: goodbye %q, want %q", lang, got, want)
		}
	}
}

func TestOnboardingAsksLanguageInAllLanguagesAndCannotBeSkipped(t *testing.T) {
	def := flow(t, "onboarding")
	res := Start(def, "en", testEnv())
	m := res.Messages[0]
	for _, want := range []string{"Choisissez votre langue", "اختر/اختاري لغتك", "Choose your language"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("first message lacks %q: %q", want, m.Text)
		}
	}
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.HasSuffix(b.Payload, payloadSkip) {
				t.Errorf("language can be skipped: %+v", b)
			}
		}
	}
	if r := Step(def, res.State, skip("language"), testEnv()); !r.Ignored {
		t.Errorf("skip of a question that may not be skipped: %+v", r)
	}
	// Typing the language's name works too, and the rest follows in it.
	r := Step(def, res.State, typed("العربية"), testEnv())
	if r.State.Lang != "ar" || r.Settings["language"] != "ar" || !hasArabic(r.Messages[0].Text) {
		t.Errorf("typed language: %+v", r)
	}
}

func TestProjectClosedSkipsRevenue(t *testing.T) {
	def := flow(t, "project_checkin")
	results := walk(t, def, "fr", script{"status": press("status", "closed"), "difficulty": press("difficulty", "money"), "help": press("help", "no")})
	answers, _, alerts, _ := collect(results)
	for _, q := range []string{"revenue", "covers", "employees"} {
		if _, ok := answers[q]; ok {
			t.Errorf("%s asked for a closed project", q)
		}
	}
	if len(alerts) != 1 || alerts[0].RuleID != "project_closed" || alerts[0].Category != "project" || alerts[0].Severity != "high" {
		t.Errorf("alerts %+v, want project_closed high", alerts)
	}
	if !slices.Equal(alerts[0].QuestionIDs, []string{"status"}) || alerts[0].Message["en"] == "" || alerts[0].Message["fr"] == "" {
		t.Errorf("alert %+v lacks its question or messages", alerts[0])
	}
}

func TestStartLanguage(t *testing.T) {
	def := flow(t, "project_checkin")
	for _, tt := range []struct{ in, want string }{{"ar", "ar"}, {"ar-MA", "ar"}, {"EN", "en"}, {"en_GB", "en"}, {"de", "fr"}, {"", "fr"}} {
		if got := Start(def, tt.in, testEnv()).State.Lang; got != tt.want {
			t.Errorf("Start(%q) language %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStartSendsIntroAndFirstQuestionTogether(t *testing.T) {
	def := flow(t, "wellbeing")
	res := Start(def, "en", testEnv())
	if len(res.Messages) != 1 {
		t.Fatalf("messages %+v, want one", res.Messages)
	}
	m := res.Messages[0]
	// Eight questions at most (five WHO-5, two PHQ-2, safety): 3 minutes.
	intro := strings.ReplaceAll(def.Intro["en"], "{duration}", "3 minutes")
	if !strings.HasPrefix(m.Text, intro+"\n\n") || !strings.HasSuffix(m.Text, "cheerful and in good spirits.") {
		t.Errorf("first message %q", m.Text)
	}
	// A labelled scale is a ladder: one point a line, then "prefer not".
	if len(m.Buttons) != 7 || m.Buttons[0][0].Text != "At no time" || m.Buttons[0][0].Payload != "who5_1:0" || m.Buttons[6][0].Payload != "who5_1:!skip" {
		t.Errorf("buttons %+v", m.Buttons)
	}
	// Short labels share a row.
	pc := Start(flow(t, "project_checkin"), "en", testEnv()).Messages[0]
	if len(pc.Buttons[0]) < 2 {
		t.Errorf("project status buttons %+v, want several on the first row", pc.Buttons)
	}
}

func TestPromptRepeatsTheCurrentQuestion(t *testing.T) {
	def := flow(t, "project_checkin")
	st := Step(def, Start(def, "fr", testEnv()).State, press("status", "operating"), testEnv()).State
	st.Lang = "en" // the returnee changed language meanwhile
	ms := Prompt(def, st, testEnv())
	if len(ms) != 1 || !strings.HasPrefix(ms[0].Text, "This month, how much money") || ms[0].Buttons[0][0].Payload != "revenue:!skip" {
		t.Errorf("Prompt = %+v", ms)
	}
	st.Finished, st.Current = true, ""
	if ms := Prompt(def, st, testEnv()); ms != nil {
		t.Errorf("Prompt after the end = %+v", ms)
	}
}
