package flows

import (
	"slices"
	"strings"
	"testing"
)

func who5Script(items [5]string) script {
	s := script{}
	for i, v := range items {
		q := "who5_" + string(rune('1'+i))
		s[q] = press(q, v)
	}
	return s
}

func TestWellbeingBranching(t *testing.T) {
	tests := []struct {
		name     string
		who5     [5]string
		asked    []string
		percent  float64
		alerts   []string
		finished string // text the last message contains (fr)
	}{
		{"high: no PHQ-2", [5]string{"4", "4", "3", "4", "4"}, nil, 76, nil, "Merci d'avoir pris ce temps"},
		// PHQ-2 answered 1 + 2 = 3: possible depression each time it is asked.
		{"low total", [5]string{"2", "2", "2", "3", "2"}, []string{"phq2_1", "phq2_2", "safety"}, 44, []string{"low_wellbeing", "possible_depression"}, "Merci d'avoir pris ce temps"},
		{"one item at 1, total fine", [5]string{"5", "5", "1", "5", "5"}, []string{"phq2_1", "phq2_2", "safety"}, 84, []string{"possible_depression"}, "Merci d'avoir pris ce temps"},
		{"raw 13 is 52: not low", [5]string{"3", "2", "3", "2", "3"}, nil, 52, nil, ""},
		{"raw 12 is 48: low", [5]string{"3", "2", "3", "2", "2"}, []string{"phq2_1", "phq2_2", "safety"}, 48, []string{"low_wellbeing", "possible_depression"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := who5Script(tt.who5)
			s["phq2_1"], s["phq2_2"], s["safety"] = press("phq2_1", "1"), press("phq2_2", "2"), press("safety", "0")
			results := walk(t, flow(t, "wellbeing"), "fr", s)
			answers, computed, alerts, _ := collect(results)
			var extra []string
			for _, q := range []string{"phq2_1", "phq2_2", "safety"} {
				if _, ok := answers[q]; ok {
					extra = append(extra, q)
				}
			}
			if !slices.Equal(extra, tt.asked) {
				t.Errorf("asked %v, want %v", extra, tt.asked)
			}
			if computed["who5_percent"] != tt.percent {
				t.Errorf("who5_percent = %v, want %v", computed["who5_percent"], tt.percent)
			}
			var fired []string
			for _, a := range alerts {
				fired = append(fired, a.RuleID)
			}
			if !slices.Equal(fired, tt.alerts) {
				t.Errorf("alerts %v, want %v", fired, tt.alerts)
			}
			for _, a := range alerts {
				if a.RuleID == "low_wellbeing" && !slices.Equal(a.QuestionIDs, []string{"who5_1", "who5_2", "who5_3", "who5_4", "who5_5"}) {
					t.Errorf("low_wellbeing alert shows %v, want the five WHO-5 answers", a.QuestionIDs)
				}
			}
			if tt.asked != nil && computed["phq2"] != 3 {
				t.Errorf("phq2 = %v, want 3", computed["phq2"])
			}
			if !strings.Contains(lastText(results), tt.finished) {
				t.Errorf("last message %q", lastText(results))
			}
		})
	}
}

func TestSafetyPositiveRaisesUrgentAlertWithHoldAndReply(t *testing.T) {
	def := flow(t, "wellbeing")
	for _, lang := range langs {
		for _, answer := range []Input{press("safety", "1"), press("safety", "3"), typed("2")} {
			s := who5Script([5]string{"1", "1", "1", "1", "1"})
			s["phq2_1"], s["phq2_2"], s["safety"] = press("phq2_1", "3"), press("phq2_2", "3"), answer
			results := walk(t, def, lang, s)
			last := results[len(results)-1]
			var safety *Alert
			for i, a := range last.Alerts {
				if a.Category == "safety" {
					safety = &last.Alerts[i]
				}
			}
			if safety == nil || safety.Severity != "urgent" || !safety.Hold || !slices.Equal(safety.QuestionIDs, []string{"safety"}) {
				t.Fatalf("%s: alerts %+v, want an urgent safety alert with hold", lang, last.Alerts)
			}
			contacts := testEnv().EmergencyContacts[lang]
			if len(last.Messages) != 1 || !strings.Contains(last.Messages[0].Text, contacts) || safety.Reply != last.Messages[0].Text {
				t.Errorf("%s: messages %+v, want only the caring reply with %q", lang, last.Messages, contacts)
			}
			if strings.Contains(last.Messages[0].Text, "{emergency_contacts}") {
				t.Errorf("%s: placeholder left in %q", lang, last.Messages[0].Text)
			}
			if !last.Finished || last.PressedEdit == "" && answer.Kind == InputButton {
				t.Errorf("%s: result %+v", lang, last)
			}
		}
	}
}

func TestSafetyReplyWithoutConfiguredContacts(t *testing.T) {
	def := flow(t, "wellbeing")
	st := State{FlowID: def.ID, Version: def.Version, Lang: "en", Current: "safety",
		Answers: map[string]Value{"who5_1": {Kind: KindNumber, Number: 0}}, Computed: map[string]float64{"who5_low": 1}}
	res := Step(def, st, press("safety", "2"), Env{Now: testNow})
	if len(res.Messages) != 1 || !strings.Contains(res.Messages[0].Text, "nearest emergency services") {
		t.Errorf("messages %+v, want the fallback contacts", res.Messages)
	}
}

func TestSafetySkipOrNoClearsNothing(t *testing.T) {
	def := flow(t, "wellbeing")
	for _, tt := range []struct {
		answer Input
		alerts []string
	}{
		{skip("safety"), []string{"likely_depression", "safety_unclear"}},
		{press("safety", "0"), []string{"likely_depression"}},
		{typed("Je préfère ne pas répondre"), []string{"likely_depression", "safety_unclear"}},
	} {
		answer := tt.answer
		s := who5Script([5]string{"0", "1", "0", "1", "0"})
		s["phq2_1"], s["phq2_2"], s["safety"] = skip("phq2_1"), press("phq2_2", "3"), answer
		results := walk(t, def, "fr", s)
		answers, computed, alerts, _ := collect(results)
		var fired []string
		for _, a := range alerts {
			fired = append(fired, a.RuleID)
		}
		if !slices.Equal(fired, tt.alerts) {
			t.Errorf("%+v: alerts %v, want %v", answer, fired, tt.alerts)
		}
		if _, ok := computed["phq2"]; ok {
			t.Errorf("phq2 = %v with an item skipped, want it missing", computed["phq2"])
		}
		if answers["phq2_1"].Kind != KindSkipped {
			t.Errorf("phq2_1 = %+v, want skipped", answers["phq2_1"])
		}
		// Nothing recorded earlier is undone.
		final := results[len(results)-1].State
		if final.Answers["who5_2"].Number != 1 || final.Computed["who5_percent"] != 8 || !slices.Contains(final.Fired, "likely_depression") {
			t.Errorf("final state %+v lost something", final)
		}
	}
}
