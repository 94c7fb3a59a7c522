package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"suivi/flows"
)

// profile says how a seeded returnee answers: the history is made by the
// real flow engine answering questions, so scores, indicators and alerts
// are the ones Suivi itself would store.
type profile int

const (
	profileWell       profile = iota // good wellbeing, project running
	profileMixed                     // middling answers
	profileStruggling                // low wellbeing on the latest screening
)

// answered is one simulated conversation's outcome.
type answered struct {
	State    flows.State
	Answers  []flows.Answer
	Computed map[string]float64
	Alerts   []flows.Alert
}

// simulate runs a flow from start to end, answering as p would.
func simulate(def *flows.Definition, lang string, at time.Time, texts *flows.Texts, p profile, rng *rand.Rand) (answered, error) {
	env := flows.Env{Now: at, Texts: texts}
	res := flows.Start(def, lang, env)
	out := answered{Computed: map[string]float64{}}
	keep := func(r flows.Result) {
		out.Answers = append(out.Answers, r.Answers...)
		for _, c := range r.Computed {
			out.Computed[c.ID] = c.Value
		}
		out.Alerts = append(out.Alerts, r.Alerts...)
		out.State = r.State
	}
	keep(res)
	buttons := lastButtons(res.Messages)
	for range 200 {
		if res.Finished {
			return out, nil
		}
		q, ok := def.Question(res.State.Current)
		if !ok {
			return out, fmt.Errorf("simulate %s: no question %q", def.ID, res.State.Current)
		}
		res = flows.Step(def, res.State, pick(q, buttons, res.State, p, rng), env)
		if res.Ignored {
			return out, fmt.Errorf("simulate %s: answer to %s ignored: %s", def.ID, q.ID, res.Reason)
		}
		keep(res)
		if res.EditButtons != nil {
			buttons = flatten(res.EditButtons)
		} else {
			buttons = lastButtons(res.Messages)
		}
	}
	return out, fmt.Errorf("simulate %s: no end after 200 answers", def.ID)
}

func flatten(rows [][]flows.Button) []flows.Button {
	var out []flows.Button
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// lastButtons are the buttons of the last message that has some.
func lastButtons(msgs []flows.Message) []flows.Button {
	for i := len(msgs) - 1; i >= 0; i-- {
		if len(msgs[i].Buttons) > 0 {
			return flatten(msgs[i].Buttons)
		}
	}
	return nil
}

// pick chooses the answer to q.
func pick(q *flows.Question, buttons []flows.Button, st flows.State, p profile, rng *rand.Rand) flows.Input {
	var choices []flows.Button
	var done string
	for _, b := range buttons {
		switch {
		case strings.HasSuffix(b.Payload, ":!skip"):
		case strings.HasSuffix(b.Payload, ":!done"):
			done = b.Payload
		default:
			choices = append(choices, b)
		}
	}
	press := func(i int) flows.Input {
		i = max(0, min(i, len(choices)-1))
		return flows.Input{Kind: flows.InputButton, Button: choices[i].Payload}
	}
	switch q.Type {
	case flows.TypeScale:
		if len(choices) == 0 {
			break
		}
		if q.Indicator == "phq9_item9" {
			return press(0) // never a positive safety answer: it would hold the returnee
		}
		if strings.HasPrefix(q.Indicator, "phq") {
			return press(map[profile]int{profileStruggling: 1}[p])
		}
		frac := map[profile]float64{profileWell: 0.8, profileMixed: 0.55, profileStruggling: 0.2}[p]
		n := len(choices) - 1
		return press(int(frac*float64(n)+0.5) + rng.IntN(2) - rng.IntN(2))
	case flows.TypeSingle, flows.TypeYesNo:
		if len(choices) == 0 {
			break
		}
		if p == profileWell || rng.IntN(3) > 0 {
			return press(0)
		}
		return press(rng.IntN(len(choices)))
	case flows.TypeMultiple:
		if len(st.Pending) > 0 && done != "" {
			return flows.Input{Kind: flows.InputButton, Button: done}
		}
		if len(choices) > 0 {
			return press(rng.IntN(len(choices)))
		}
	case flows.TypeNumber:
		lo, hi := 0.0, 10.0
		if q.Min != nil {
			lo = *q.Min
		}
		if q.Max != nil {
			hi = *q.Max
		}
		v := lo + (hi-lo)*0.1
		if strings.Contains(q.ID, "revenue") {
			v = float64(1500 + 500*rng.IntN(8))
		} else if strings.Contains(q.ID, "employ") {
			v = float64(rng.IntN(3))
		}
		v = max(lo, min(hi, v))
		return flows.Input{Kind: flows.InputText, Text: strconv.Itoa(int(v))}
	case flows.TypeText:
		return flows.Input{Kind: flows.InputText, Text: "RAS"}
	case flows.TypeDate:
		return flows.Input{Kind: flows.InputText, Text: "01/01/2026"}
	}
	return flows.Input{Kind: flows.InputButton, Button: q.ID + ":!skip"}
}
