package flows

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	"unicode"
)

func fmtInts(v []int) string {
	if v == nil {
		return "[]"
	}
	return fmt.Sprint(v)
}

var testNow = time.Date(2026, 5, 20, 14, 0, 0, 0, time.UTC)

func testEnv() Env {
	return Env{Now: testNow, EmergencyContacts: map[string]string{
		"fr": "Mme Alaoui, votre conseillère : 06 00 00 00 00",
		"ar": "السيدة العلوي، المكلّفة بمتابعتك: \u206806 00 00 00 00\u2069",
		"en": "Ms Alaoui, your case worker: 06 00 00 00 00",
	}}
}

func embeddedCatalog(t testing.TB) *Catalog {
	t.Helper()
	c, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func flow(t testing.TB, id string) *Definition {
	t.Helper()
	d, ok := embeddedCatalog(t).Latest(id)
	if !ok {
		t.Fatalf("no flow %s", id)
	}
	return d
}

// testdataFlow loads one definition from testdata/<dir>.
func testdataFlow(t testing.TB, dir, id string) *Definition {
	t.Helper()
	c, err := Load(os.DirFS("testdata/" + dir))
	if err != nil {
		t.Fatal(err)
	}
	d, ok := c.Latest(id)
	if !ok {
		t.Fatalf("no flow %s in testdata/%s", id, dir)
	}
	return d
}

func press(qid, value string) Input { return Input{Kind: InputButton, Button: qid + ":" + value} }
func typed(s string) Input          { return Input{Kind: InputText, Text: s} }
func skip(qid string) Input         { return press(qid, payloadSkip) }

// script answers questions by id; walk fails on a question it has no answer
// for.
type script map[string]Input

// walk runs a flow from Start to the end with the script's answers, checks
// every result on the way, and returns them all (Start's first).
func walk(t *testing.T, def *Definition, lang string, answers script) []Result {
	t.Helper()
	env := testEnv()
	res := Start(def, lang, env)
	all := []Result{res}
	checkResult(t, def, res)
	for steps := 0; !res.Finished; steps++ {
		if steps > 40 {
			t.Fatalf("%s: no end after 40 steps", def.ID)
		}
		qid := res.State.Current
		in, ok := answers[qid]
		if !ok {
			t.Fatalf("%s/%s: script has no answer for %q", def.ID, lang, qid)
		}
		res = Step(def, res.State, in, env)
		if res.Ignored || res.Stale {
			t.Fatalf("%s/%s: %q answer %+v ignored (%s)", def.ID, lang, qid, in, res.Reason)
		}
		checkResult(t, def, res)
		all = append(all, res)
	}
	return all
}

// checkResult checks what any result must satisfy: messages in the
// conversation's language with no missing text, buttons within the payload
// budget.
func checkResult(t *testing.T, def *Definition, res Result) {
	t.Helper()
	lang := res.State.Lang
	for _, m := range res.Messages {
		if strings.TrimSpace(m.Text) == "" {
			t.Errorf("%s: empty message", def.ID)
		}
		if _, isKey := embeddedTexts().m[m.Text]; isKey {
			t.Errorf("%s: message is a bare text key %q", def.ID, m.Text)
		}
		multilingual := strings.Contains(m.Text, "Choisissez votre langue")
		if !multilingual && (lang == "ar") != hasArabic(m.Text) {
			t.Errorf("%s: message in the wrong language for %s: %q", def.ID, lang, m.Text)
		}
		for _, row := range m.Buttons {
			for _, b := range row {
				if b.Text == "" || len(b.Payload) > MaxPayload || !strings.Contains(b.Payload, ":") {
					t.Errorf("%s: bad button %+v", def.ID, b)
				}
			}
		}
	}
}

func hasArabic(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Arabic, r) {
			return true
		}
	}
	return false
}

// collect gathers what a walk recorded.
func collect(results []Result) (answers map[string]Value, computed map[string]float64, alerts []Alert, settings map[string]string) {
	answers, computed, settings = map[string]Value{}, map[string]float64{}, map[string]string{}
	for _, r := range results {
		for _, a := range r.Answers {
			answers[a.QuestionID] = a.Value
		}
		for _, c := range r.Computed {
			computed[c.ID] = c.Value
		}
		alerts = append(alerts, r.Alerts...)
		for k, v := range r.Settings {
			settings[k] = v
		}
	}
	return answers, computed, alerts, settings
}

func lastText(results []Result) string {
	r := results[len(results)-1]
	if len(r.Messages) == 0 {
		return ""
	}
	return r.Messages[len(r.Messages)-1].Text
}
