package flows

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

// at starts the all_types test flow and answers until question qid is asked.
func at(t *testing.T, lang, qid string) (*Definition, State) {
	t.Helper()
	def := testdataFlow(t, "engine", "all_types")
	answers := map[string]Input{
		"needs": typed("1"), "story": typed("ok"), "since": typed("15/03/2026"),
		"amount": typed("10"), "children": typed("2"), "sure": press("sure", "yes"),
	}
	res := Start(def, lang, testEnv())
	for res.State.Current != qid {
		res = Step(def, res.State, answers[res.State.Current], testEnv())
		if res.Ignored || res.Finished {
			t.Fatalf("cannot reach %s: %+v", qid, res)
		}
	}
	return def, res.State
}

// unchanged checks that a result changed nothing.
func unchanged(t *testing.T, res Result, st State) {
	t.Helper()
	if !reflect.DeepEqual(res.State, st) || len(res.Answers)+len(res.Messages)+len(res.Alerts)+len(res.Computed) > 0 ||
		res.PressedEdit != "" || res.Settings != nil || res.Finished {
		t.Errorf("result changed something: %+v", res)
	}
}

func TestStalePress(t *testing.T) {
	def := flow(t, "project_checkin")
	for _, tt := range []struct{ lang, want string }{{"fr", "Cette question est close."}, {"ar", "هذا السؤال مُغلق."}, {"en", "This question is closed."}} {
		st := Start(def, tt.lang, testEnv()).State
		st = Step(def, st, press("status", "operating"), testEnv()).State // now at revenue
		for _, in := range []Input{press("status", "closed"), press("help", "yes"), press("nope", "x")} {
			res := Step(def, st, in, testEnv())
			if !res.Stale || res.Ignored || res.CallbackText != tt.want {
				t.Errorf("%s %+v: stale=%v callback=%q, want stale with %q", tt.lang, in, res.Stale, res.CallbackText, tt.want)
			}
			unchanged(t, res, st)
		}
	}
	// A press after the end is stale too.
	results := walk(t, def, "en", script{"status": press("status", "closed"), "difficulty": press("difficulty", "none"), "help": press("help", "no")})
	final := results[len(results)-1].State
	if res := Step(def, final, press("help", "yes"), testEnv()); !res.Stale {
		t.Errorf("press after the end: %+v", res)
	}
}

func TestMalformedPayloadIsIgnored(t *testing.T) {
	def := flow(t, "project_checkin")
	st := Start(def, "fr", testEnv()).State
	for _, payload := range []string{"", "status", ":closed", "status:", "status:bogus", "status:!done", strings.Repeat("x", 60) + ":a"} {
		res := Step(def, st, Input{Kind: InputButton, Button: payload}, testEnv())
		if !res.Ignored || res.Stale || res.Reason == "" {
			t.Errorf("payload %q: %+v, want ignored with a reason", payload, res)
		}
		unchanged(t, res, st)
	}
	if res := Step(def, st, Input{}, testEnv()); !res.Ignored {
		t.Errorf("empty input: %+v", res)
	}
	other := flow(t, "wellbeing")
	if res := Step(other, st, press("status", "closed"), testEnv()); !res.Ignored {
		t.Errorf("state of another flow: %+v", res)
	}
}

func TestPressedEditAndCallback(t *testing.T) {
	def := flow(t, "project_checkin")
	st := Start(def, "en", testEnv()).State
	res := Step(def, st, press("status", "paused"), testEnv())
	if res.PressedEdit != "How is your project doing?\n\n✓ Paused" || res.CallbackText != "" {
		t.Errorf("PressedEdit %q, CallbackText %q", res.PressedEdit, res.CallbackText)
	}
	res = Step(def, res.State, skip("revenue"), testEnv())
	if !strings.HasSuffix(res.PressedEdit, "✓ I prefer not to answer") || res.Answers[0].Value.Kind != KindSkipped {
		t.Errorf("skip: %q %+v", res.PressedEdit, res.Answers)
	}
	if res.State.Current != "covers" {
		t.Errorf("after a skip, current = %q, want covers", res.State.Current)
	}
}

func TestNumbersTyped(t *testing.T) {
	def := flow(t, "project_checkin")
	start := Step(def, Start(def, "fr", testEnv()).State, press("status", "operating"), testEnv()).State
	for _, tt := range []struct {
		in   string
		want float64
	}{
		{"1500", 1500}, {"1 500", 1500}, {"1.500", 1500}, {"1500,50", 1500.5}, {"1 500 dh", 1500},
		{"1500 MAD", 1500}, {"1500dh", 1500}, {"١٥٠٠", 1500}, {"۱۵۰۰", 1500}, {"١٬٥٠٠٫٥", 1500.5}, {"0", 0}, {"1000000", 1000000},
	} {
		res := Step(def, start, typed(tt.in), testEnv())
		if len(res.Answers) != 1 || res.Answers[0].Value.Number != tt.want || res.State.Current != "covers" {
			t.Errorf("%q: %+v, want %v recorded", tt.in, res.Answers, tt.want)
		}
	}
	for _, tt := range []struct{ lang, in, want string }{
		{"fr", "beaucoup", "Merci d'envoyer un nombre entre 0 et 1\u202f000\u202f000 (MAD)."},
		{"en", "a lot", "Please send a number between 0 and 1,000,000 (MAD)."},
		{"en", "-5", "Please send a number between 0 and 1,000,000 (MAD)."},
		{"en", "2000000", "Please send a number between 0 and 1,000,000 (MAD)."},
		{"ar", "كثير", "المرجو إرسال رقم بين \u20680\u2069 و\u20681,000,000\u2069 (\u2068درهم\u2069)."},
	} {
		st := start
		st.Lang = tt.lang
		res := Step(def, st, typed(tt.in), testEnv())
		if len(res.Answers) != 0 || res.State.Current != "revenue" || res.State.Invalid != 1 {
			t.Errorf("%q accepted: %+v", tt.in, res)
		}
		if len(res.Messages) != 1 || res.Messages[0].Text != tt.want {
			t.Errorf("%q: re-prompt %+v, want %q", tt.in, res.Messages, tt.want)
		}
		if b := res.Messages[0].Buttons; len(b) != 1 || b[0][0].Payload != "revenue:!skip" {
			t.Errorf("re-prompt buttons %+v, want prefer-not", b)
		}
		again := Step(def, res.State, typed("nope"), testEnv())
		if again.State.Invalid != 2 {
			t.Errorf("Invalid = %d after two re-prompts", again.State.Invalid)
		}
	}
	// Whole numbers only for employees.
	st := Step(def, Step(def, start, typed("10"), testEnv()).State, press("covers", "yes"), testEnv()).State
	res := Step(def, st, typed("2,5"), testEnv())
	if len(res.Answers) != 0 || res.Messages[0].Text != "Merci d'envoyer un nombre entier, sans virgule." {
		t.Errorf("2,5 employees: %+v", res)
	}
}

func TestTypedChoices(t *testing.T) {
	def := flow(t, "project_checkin")
	start := Start(def, "fr", testEnv()).State
	for _, tt := range []struct{ in, want string }{
		{"Fermé", "closed"}, {"  fermé ", "closed"}, {"closed", "closed"}, {"Paused", "paused"},
		{"مغلق", "closed"}, {"3", "closed"}, {"٣", "closed"}, {"1", "operating"},
	} {
		res := Step(def, start, typed(tt.in), testEnv())
		if len(res.Answers) != 1 || res.Answers[0].Value.Option != tt.want {
			t.Errorf("%q: %+v, want %s", tt.in, res.Answers, tt.want)
		}
	}
	res := Step(def, start, typed("pas terrible"), testEnv())
	if len(res.Answers) != 0 || len(res.Messages) != 1 || !strings.HasPrefix(res.Messages[0].Text, "Merci de choisir une réponse avec les boutons.\n\nOù en est votre projet ?") {
		t.Fatalf("unknown typed choice: %+v", res)
	}
	if got := len(res.Messages[0].Buttons); got < 2 {
		t.Errorf("re-prompt without the buttons: %+v", res.Messages[0].Buttons)
	}
	// Yes/no in any language; a scale by its number.
	st := Step(def, Step(def, start, press("status", "operating"), testEnv()).State, typed("100"), testEnv()).State
	for _, in := range []string{"oui", "YES", "نعم"} {
		if r := Step(def, st, typed(in), testEnv()); r.Answers[0].Value.Option != "yes" {
			t.Errorf("%q: %+v", in, r.Answers)
		}
	}
	wb := flow(t, "wellbeing")
	r := Step(wb, Start(wb, "fr", testEnv()).State, typed("4"), testEnv())
	if !reflect.DeepEqual(r.Answers[0].Value, Value{Kind: KindNumber, Number: 4}) || *r.Answers[0].Score != 0.8 {
		t.Errorf("scale typed 4: %+v", r.Answers[0])
	}
	if r := Step(wb, Start(wb, "fr", testEnv()).State, typed("tout le temps"), testEnv()); r.Answers[0].Value.Number != 5 {
		t.Errorf("scale label typed: %+v", r.Answers)
	}
}

func TestMediaWhereAnAnswerIsExpected(t *testing.T) {
	def := flow(t, "project_checkin")
	st := Start(def, "fr", testEnv()).State
	tests := []struct {
		kind, file string
		kept       bool
		want       string
	}{
		{"sticker", "s1", false, "Merci pour le sticker ! Ici, je ne sais lire que le texte et les boutons."},
		{"photo", "p1", true, "Merci pour la photo ! Ici, je ne sais lire que le texte et les boutons. Votre conseiller pourra le voir."},
		{"voice", "v1", true, "Merci pour le message vocal !"},
		{"location", "", false, "Merci pour la position !"},
		{"document", "d1", false, "Merci pour le document !"},
		{"video", "x1", false, "Merci pour la vidéo !"},
		{"poll", "", false, "Merci pour votre message !"},
	}
	for _, tt := range tests {
		res := Step(def, st, Input{Kind: InputMedia, MediaKind: tt.kind, FileID: tt.file}, testEnv())
		if res.State.Current != "status" || res.State.Invalid != 1 || res.Ignored {
			t.Errorf("%s: state %+v", tt.kind, res.State)
		}
		if len(res.Messages) != 1 || !strings.HasPrefix(res.Messages[0].Text, tt.want) || len(res.Messages[0].Buttons) == 0 {
			t.Errorf("%s: messages %+v, want %q and the buttons", tt.kind, res.Messages, tt.want)
		}
		if !tt.kept {
			if len(res.Answers) != 0 {
				t.Errorf("%s kept: %+v", tt.kind, res.Answers)
			}
			continue
		}
		want := Answer{QuestionID: "status#media", Value: Value{Kind: KindMedia, MediaKind: tt.kind, FileID: tt.file}}
		if len(res.Answers) != 1 || !reflect.DeepEqual(res.Answers[0], want) {
			t.Errorf("%s: answers %+v, want %+v", tt.kind, res.Answers, want)
		}
		if _, ok := res.State.Answers["status"]; ok {
			t.Errorf("%s replaced the answer", tt.kind)
		}
	}
	// In Arabic, on a number question: the expected number is stated.
	st = Step(def, Start(def, "ar", testEnv()).State, press("status", "operating"), testEnv()).State
	res := Step(def, st, Input{Kind: InputMedia, MediaKind: "voice", FileID: "v2"}, testEnv())
	if !strings.Contains(res.Messages[0].Text, "الرسالة الصوتية") || !strings.Contains(res.Messages[0].Text, "\u20681,000,000\u2069") {
		t.Errorf("Arabic media re-prompt %q", res.Messages[0].Text)
	}
}

func TestTextTooLongAndDates(t *testing.T) {
	def, st := at(t, "en", "story")
	res := Step(def, st, typed(strings.Repeat("é", 21)), testEnv())
	if len(res.Answers) != 0 || res.Messages[0].Text != "Please keep it under 20 characters." {
		t.Errorf("too long: %+v", res)
	}
	res = Step(def, st, typed(strings.Repeat("é", 20)), testEnv())
	if len(res.Answers) != 1 || !reflect.DeepEqual(res.Answers[0].Value, Value{Kind: KindText, Text: strings.Repeat("é", 20)}) || res.State.Current != "since" {
		t.Errorf("20 characters: %+v", res)
	}
	st = res.State
	for _, in := range []string{"15/03/2026", "2026-03-15", "15-03-2026", "15.03.2026", "١٥/٠٣/٢٠٢٦"} {
		r := Step(def, st, typed(in), testEnv())
		if len(r.Answers) != 1 || !reflect.DeepEqual(r.Answers[0].Value, Value{Kind: KindDate, Date: "2026-03-15"}) {
			t.Errorf("%q: %+v", in, r.Answers)
		}
	}
	r := Step(def, st, typed("yesterday"), testEnv())
	if len(r.Answers) != 0 || r.Messages[0].Text != "Please send a date like 15/03/2026." {
		t.Errorf("bad date: %+v", r)
	}
	// A number without bounds, and its unit in the re-prompt.
	_, st = at(t, "en", "amount")
	if r := Step(def, st, typed("lots"), testEnv()); r.Messages[0].Text != "Please send a number, for example 1500 (MAD)." {
		t.Errorf("unbounded re-prompt %q", r.Messages[0].Text)
	}
	_, st = at(t, "fr", "children")
	if r := Step(def, st, typed("-1"), testEnv()); r.Messages[0].Text != "Merci d'envoyer un nombre d'au moins 0." {
		t.Errorf("min-only re-prompt %q", r.Messages[0].Text)
	}
}

func TestMultipleChoice(t *testing.T) {
	def, st := at(t, "en", "needs")
	env := testEnv()
	res := Step(def, st, press("needs", "!done"), env)
	if res.CallbackText != "Choose at least one answer, or “I prefer not to answer”." || len(res.Answers) != 0 {
		t.Errorf("done with nothing: %+v", res)
	}
	res = Step(def, st, press("needs", "work"), env)
	res = Step(def, res.State, press("needs", "money"), env)
	if got := res.EditButtons[0][0].Text + "|" + res.EditButtons[0][1].Text; got != "✓ Money|✓ Work" {
		t.Errorf("keyboard after toggles: %+v", res.EditButtons)
	}
	if len(res.Answers) != 0 || res.PressedEdit != "" || res.State.Current != "needs" {
		t.Errorf("a toggle recorded something: %+v", res)
	}
	res = Step(def, res.State, press("needs", "work"), env) // off again
	res = Step(def, res.State, press("needs", "housing"), env)
	res = Step(def, res.State, press("needs", "!done"), env)
	if got := res.Answers[0].Value; !reflect.DeepEqual(got, Value{Kind: KindOptions, Options: []string{"money", "housing"}}) {
		t.Errorf("recorded %+v", got)
	}
	if *res.Answers[0].Score != 0.2 {
		t.Errorf("score %v, want the best chosen, 0.2", *res.Answers[0].Score)
	}
	if !strings.HasSuffix(res.PressedEdit, "✓ Money, Housing") || res.State.Pending != nil {
		t.Errorf("PressedEdit %q, Pending %v", res.PressedEdit, res.State.Pending)
	}
	// "Nothing" is exclusive.
	res = Step(def, st, press("needs", "money"), env)
	res = Step(def, res.State, press("needs", "none"), env)
	if !reflect.DeepEqual(res.State.Pending, []string{"none"}) {
		t.Errorf("pending %v, want only none", res.State.Pending)
	}
	res = Step(def, res.State, press("needs", "work"), env)
	if !reflect.DeepEqual(res.State.Pending, []string{"work"}) {
		t.Errorf("pending %v, want only work", res.State.Pending)
	}
	// Typed: a list of labels or numbers.
	res = Step(def, st, typed("work, 1"), env)
	if got := res.Answers[0].Value.Options; !reflect.DeepEqual(got, []string{"money", "work"}) {
		t.Errorf("typed list recorded %v", got)
	}
	// The question says several answers are possible and has a done button.
	m := Start(def, "fr", env).Messages[0]
	if !strings.Contains(m.Text, "plusieurs réponses possibles") || m.Buttons[len(m.Buttons)-2][0].Payload != "needs:!done" {
		t.Errorf("multiple question %+v", m)
	}
}

func TestNotSkippableAndGotoEnd(t *testing.T) {
	def, st := at(t, "en", "sure")
	if r := Step(def, st, skip("sure"), testEnv()); !r.Ignored {
		t.Errorf("skip of a required question: %+v", r)
	}
	if r := Step(def, st, typed("I prefer not to answer"), testEnv()); len(r.Answers) != 0 {
		t.Errorf("typed skip of a required question recorded %+v", r.Answers)
	}
	r := Step(def, st, press("sure", "no"), testEnv())
	if !r.Finished || r.Messages[0].Text != "Too bad" {
		t.Errorf("goto end: %+v", r)
	}
	r = Step(def, st, press("sure", "yes"), testEnv())
	r = Step(def, r.State, press("mood", "5"), testEnv())
	if !r.Finished || r.Messages[0].Text != "Done" || r.State.Computed["double"] != 20 {
		t.Errorf("end: %+v", r)
	}
}

func TestNeverAskAnAnsweredQuestionAgain(t *testing.T) {
	def := flow(t, "project_checkin")
	st := Start(def, "fr", testEnv()).State
	st.Answers = map[string]Value{"revenue": {Kind: KindNumber, Number: 5}, "covers": {Kind: KindOption, Option: "yes"}}
	res := Step(def, st, press("status", "operating"), testEnv())
	if res.State.Current != "employees" {
		t.Errorf("current = %q, want employees (revenue and covers are answered)", res.State.Current)
	}
}

func TestStepLeavesItsInputAlone(t *testing.T) {
	def := flow(t, "wellbeing")
	st := Start(def, "fr", testEnv()).State
	st = Step(def, st, press("who5_1", "1"), testEnv()).State
	before, _ := json.Marshal(st)
	Step(def, st, press("who5_2", "1"), testEnv())
	Step(def, st, Input{Kind: InputMedia, MediaKind: "photo", FileID: "f"}, testEnv())
	after, _ := json.Marshal(st)
	if string(before) != string(after) {
		t.Errorf("Step changed its input state:\n%s\n%s", before, after)
	}
}

func TestDeterministic(t *testing.T) {
	run := func() string {
		var out []Result
		for _, id := range []string{"onboarding", "project_checkin", "wellbeing"} {
			def := flow(t, id)
			s := who5Script([5]string{"0", "1", "2", "1", "0"})
			s["phq2_1"], s["phq2_2"], s["safety"] = press("phq2_1", "2"), press("phq2_2", "2"), press("safety", "1")
			s["language"], s["consent"], s["window"] = press("language", "ar"), press("consent", "accepted"), press("window", "any")
			s["status"], s["revenue"], s["covers"], s["employees"] = press("status", "operating"), typed("١٥٠٠"), press("covers", "no"), typed("1")
			s["difficulty"], s["help"] = press("difficulty", "money"), press("help", "yes")
			out = append(out, walk(t, def, "ar", s)...)
		}
		b, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	first := run()
	for range 5 {
		if run() != first {
			t.Fatal("two runs of the same conversations differ")
		}
	}
}

func TestStateRoundTripsThroughJSON(t *testing.T) {
	def := flow(t, "wellbeing")
	st := Step(def, Start(def, "en", testEnv()).State, press("who5_1", "2"), testEnv()).State
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var back State
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	a := Step(def, st, press("who5_2", "3"), testEnv())
	c := Step(def, back, press("who5_2", "3"), testEnv())
	if !reflect.DeepEqual(a.Messages, c.Messages) || !reflect.DeepEqual(a.Computed, c.Computed) {
		t.Errorf("a state read back from JSON behaves differently")
	}
}

// FuzzStep sends any text or payload to every question of the all_types flow:
// the engine never panics, and what it records is well formed.
func FuzzStep(f *testing.F) {
	for _, s := range []string{"1", "money, work", "15/03/2026", "1 500 dh", "", "needs:!done", "story:x", "نعم", strings.Repeat("a", 30)} {
		f.Add(s, false)
		f.Add(s, true)
	}
	def, err := Load(os.DirFS("testdata/engine"))
	if err != nil {
		f.Fatal(err)
	}
	d, _ := def.Latest("all_types")
	f.Fuzz(func(t *testing.T, s string, button bool) {
		st := Start(d, "fr", testEnv()).State
		for range len(d.Questions) {
			in := typed(s)
			if button {
				in = Input{Kind: InputButton, Button: s}
			}
			res := Step(d, st, in, testEnv())
			for _, a := range res.Answers {
				if a.QuestionID != st.Current && a.QuestionID != st.Current+"#media" {
					t.Fatalf("answer to %q while %q was asked", a.QuestionID, st.Current)
				}
			}
			if res.Ignored || res.Stale || res.Finished {
				return
			}
			// Move on with a valid answer to reach the next question type.
			q, _ := d.Question(res.State.Current)
			next := Step(d, res.State, skip(q.ID), testEnv())
			if next.Ignored {
				next = Step(d, res.State, press(q.ID, q.Options[0].Value), testEnv())
			}
			if next.Finished {
				return
			}
			st = next.State
		}
	})
}
