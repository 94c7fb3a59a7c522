package flows

import (
	"slices"
	"testing"
)

// firedRules runs the real wellbeing flow with the script and returns the
// rules raised with their severities, and what was computed.
func firedRules(t *testing.T, id string, s script) (map[string]string, map[string]float64, map[string]Value, []Alert) {
	t.Helper()
	answers, computed, alerts, _ := collect(walk(t, flow(t, id), "fr", s))
	fired := map[string]string{}
	for _, a := range alerts {
		fired[a.RuleID] = a.Severity
	}
	return fired, computed, answers, alerts
}

// Each cut-off of issue 9, on both sides, through the engine and the
// definitions as shipped.
func TestWellbeingThresholds(t *testing.T) {
	tests := []struct {
		name   string
		who5   [5]string // "!skip" skips the item
		phq    [2]string
		safety Input
		want   map[string]string // rule → severity
	}{
		{"WHO-5 52 (raw 13): nothing", [5]string{"3", "2", "3", "2", "3"}, [2]string{}, Input{}, map[string]string{}},
		{"WHO-5 48 (raw 12): low wellbeing, medium", [5]string{"3", "2", "3", "2", "2"}, [2]string{"0", "0"}, press("safety", "0"),
			map[string]string{"low_wellbeing": "medium"}},
		{"WHO-5 32 (raw 8): still medium", [5]string{"2", "2", "2", "1", "1"}, [2]string{"0", "0"}, press("safety", "0"),
			map[string]string{"low_wellbeing": "medium"}},
		{"WHO-5 28 (raw 7): likely depression, high", [5]string{"2", "2", "1", "1", "1"}, [2]string{"0", "0"}, press("safety", "0"),
			map[string]string{"likely_depression": "high"}},
		{"PHQ-2 2: no alert", [5]string{"3", "2", "3", "2", "2"}, [2]string{"1", "1"}, press("safety", "0"),
			map[string]string{"low_wellbeing": "medium"}},
		{"PHQ-2 3: possible depression, high", [5]string{"3", "2", "3", "2", "2"}, [2]string{"1", "2"}, press("safety", "0"),
			map[string]string{"low_wellbeing": "medium", "possible_depression": "high"}},
		{"PHQ-2 3 whatever the safety answer", [5]string{"3", "2", "3", "2", "2"}, [2]string{"2", "1"}, press("safety", "2"),
			map[string]string{"low_wellbeing": "medium", "possible_depression": "high", "safety": "urgent"}},
		{"safety skipped: medium", [5]string{"3", "2", "3", "2", "2"}, [2]string{"0", "0"}, skip("safety"),
			map[string]string{"low_wellbeing": "medium", "safety_unclear": "medium"}},
		{"safety in words: medium", [5]string{"3", "2", "3", "2", "2"}, [2]string{"0", "0"}, typed("ça va, merci"),
			map[string]string{"low_wellbeing": "medium", "safety_unclear": "medium"}},
		{"one WHO-5 item skipped: no score, no alert", [5]string{"3", "!skip", "3", "3", "3"}, [2]string{}, Input{}, map[string]string{}},
		{"two WHO-5 items skipped: screening incomplete, low", [5]string{"3", "!skip", "3", "!skip", "3"}, [2]string{"0", "0"}, press("safety", "0"),
			map[string]string{"screening_incomplete": "low"}},
		{"WHO-5 items all 0 but one skipped: no WHO-5 score alert", [5]string{"0", "0", "!skip", "0", "0"}, [2]string{"0", "0"}, press("safety", "0"),
			map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := script{}
			for i, v := range tt.who5 {
				q := "who5_" + string(rune('1'+i))
				if v == "!skip" {
					s[q] = skip(q)
				} else {
					s[q] = press(q, v)
				}
			}
			if tt.phq[0] != "" {
				s["phq2_1"], s["phq2_2"], s["safety"] = press("phq2_1", tt.phq[0]), press("phq2_2", tt.phq[1]), tt.safety
			}
			fired, computed, answers, alerts := firedRules(t, "wellbeing", s)
			if len(fired) != len(tt.want) {
				t.Errorf("fired %v, want %v", fired, tt.want)
			}
			for rule, sev := range tt.want {
				if fired[rule] != sev {
					t.Errorf("rule %s: severity %q, want %q (fired %v)", rule, fired[rule], sev, fired)
				}
			}
			skipped := slices.Contains(tt.who5[:], "!skip")
			for _, id := range []string{"who5_raw", "who5_percent"} {
				if _, ok := computed[id]; ok == skipped {
					t.Errorf("%s stored=%v with skipped items=%v: %v", id, ok, skipped, computed)
				}
			}
			if tt.safety.Kind == InputText {
				if v := answers["safety"]; v.Kind != KindText || v.Text != "ça va, merci" {
					t.Errorf("safety answer %+v, want the words kept", v)
				}
				for _, a := range alerts {
					if a.RuleID == "safety_unclear" && !slices.Equal(a.QuestionIDs, []string{"safety"}) {
						t.Errorf("safety_unclear carries %v, want the safety answer", a.QuestionIDs)
					}
				}
			}
		})
	}
}

func TestReintegrationAlertsAndMissingScores(t *testing.T) {
	best := func() script {
		s := script{}
		for _, q := range flow(t, "reintegration_survey").Questions {
			s[q.ID] = press(q.ID, q.Options[0].Value)
		}
		return s
	}
	tests := []struct {
		name    string
		change  script
		want    map[string]string
		present []string
		missing []string
	}{
		{"all answered", script{}, map[string]string{}, []string{"economic", "social", "psychosocial", "composite", "sustainable"}, nil},
		{"distress sometimes: nothing", script{"psy_distress": press("psy_distress", "sometimes")}, map[string]string{}, []string{"composite"}, nil},
		{"distress often: medium", script{"psy_distress": press("psy_distress", "often")}, map[string]string{"distress_often": "medium"}, []string{"composite"}, nil},
		{"leaving by choice: nothing", script{"remigration": press("remigration", "choice")}, map[string]string{}, nil, nil},
		{"leaving out of necessity: low", script{"remigration": press("remigration", "necessity")}, map[string]string{"remigration_necessity": "low"}, nil, nil},
		{"an economic item skipped", script{"eco_debt": skip("eco_debt")}, map[string]string{},
			[]string{"social", "psychosocial"}, []string{"economic", "composite", "sustainable"}},
		{"not applicable is not missing", script{"soc_school": press("soc_school", "no_children")}, map[string]string{},
			[]string{"social", "composite", "sustainable"}, nil},
		{"remigration skipped changes no score", script{"remigration": skip("remigration")}, map[string]string{}, []string{"composite"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := best()
			for k, v := range tt.change {
				s[k] = v
			}
			fired, computed, _, _ := firedRules(t, "reintegration_survey", s)
			if len(fired) != len(tt.want) {
				t.Errorf("fired %v, want %v", fired, tt.want)
			}
			for rule, sev := range tt.want {
				if fired[rule] != sev {
					t.Errorf("rule %s: %q, want %q", rule, fired[rule], sev)
				}
			}
			for _, id := range tt.present {
				if _, ok := computed[id]; !ok {
					t.Errorf("%s missing, want it computed (%v)", id, computed)
				}
			}
			for _, id := range tt.missing {
				if v, ok := computed[id]; ok {
					t.Errorf("%s = %v, want it missing", id, v)
				}
			}
		})
	}
}

// A rule must not fire on a value that could not be computed, however it
// is written.
func TestMissingValuesDecideNothing(t *testing.T) {
	s := scope{answers: map[string]Value{"a": {Kind: KindNumber, Number: 1}, "b": {Kind: KindSkipped}}, computed: map[string]float64{}}
	for _, tt := range []struct {
		src  string
		want bool
	}{
		{"who5_percent < 50", false},
		{"not who5_percent >= 50", false},
		{"not (who5_percent >= 50 and a == 1)", false},
		{"who5_percent < 50 or a == 1", true},
		{"who5_percent < 50 and a == 2", false},
		{"not (who5_percent < 50 and a == 2)", true},
		{"b != 3", false},
		{"not b in (1, 2)", false},
		{"count_skipped(a, b) == 1", true},
		{"typed(a)", false},
	} {
		n, err := parseExpr(tt.src)
		if err != nil {
			t.Fatalf("%s: %v", tt.src, err)
		}
		if got := (&Expr{Src: tt.src, root: n}).holds(s); got != tt.want {
			t.Errorf("%s = %v, want %v", tt.src, got, tt.want)
		}
	}
	n, _ := parseExpr("who5_percent < 50 or a == 2")
	if v, ok := (&Expr{root: n}).number(s); ok {
		t.Errorf("a formula on a missing value gave %v, want it missing (not stored as 0)", v)
	}
}
