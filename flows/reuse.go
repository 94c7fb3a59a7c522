package flows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A question with reuse_key asks what another question with the same key
// asks (in this flow or another): when the returnee answered it within
// reuse_within, the answer is given again, marked Reused, instead of asking
// twice in a fortnight. The caller looks the answers up when a conversation
// starts (Catalog.ReuseSources names where) and hands them over in
// Env.Recent; Start keeps the fresh ones in the state, so later steps need
// nothing from outside.
//
// A question that asks something close but not the same (the project's
// status for "do you have work") carries reuse_as: it never takes a reused
// answer, and hands on only the answers it maps, as values of the key's
// other questions (a running project is regular work; a closed one says
// nothing about other work, so it is not handed on).

// parseReuseWithin reads "14d" (days) or a Go duration such as "72h".
func parseReuseWithin(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 || n > 366 {
			return 0, fmt.Errorf("%q is not a number of days from 1 to 366", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a duration like 14d", s)
	}
	return d, nil
}

// freshAnswers keeps the recent answers this flow may reuse: within each
// question's reuse_within of env.Now, actually answered (not skipped, not
// themselves reused) and fitting the question.
func (d *Definition) freshAnswers(env Env) map[string]Value {
	var out map[string]Value
	for _, q := range d.Questions {
		rec, ok := env.Recent[q.ReuseKey]
		if q.ReuseKey == "" || q.ReuseAs != nil || !ok || rec.At.Before(env.Now.Add(-q.reuseWithin)) || rec.At.After(env.Now) {
			continue
		}
		if !q.fits(rec.Value) {
			continue
		}
		if out == nil {
			out = map[string]Value{}
		}
		out[q.ReuseKey] = rec.Value
	}
	return out
}

// fits reports whether v is an answer q could have been given.
func (q *Question) fits(v Value) bool {
	if v.Reused {
		return false
	}
	switch v.Kind {
	case KindOption:
		return (q.Type == TypeSingle || q.Type == TypeYesNo) && q.option(v.Option) != nil
	case KindOptions:
		if q.Type != TypeMultiple || len(v.Options) == 0 {
			return false
		}
		for _, o := range v.Options {
			if q.option(o) == nil {
				return false
			}
		}
		return true
	case KindNumber:
		if q.Type == TypeScale {
			return q.option(strconv.FormatFloat(v.Number, 'f', -1, 64)) != nil
		}
		return q.Type == TypeNumber && (q.Min == nil || v.Number >= *q.Min) && (q.Max == nil || v.Number <= *q.Max)
	case KindDate:
		return q.Type == TypeDate
	}
	return false
}

// reusable is the answer to give q instead of asking it, if the state holds
// a fresh one.
func (r *run) reusable(q *Question) (Value, bool) {
	if q.ReuseKey == "" || q.ReuseAs != nil {
		return Value{}, false
	}
	v, ok := r.st.Reuse[q.ReuseKey]
	if !ok || !q.fits(v) {
		return Value{}, false
	}
	v.Reused = true
	return v, true
}

// QuestionCount is how many questions a new conversation of d asks: most
// counts every question, least only those without ask_if (a next rule may
// still pass some over); a question whose reuse key reused reports true is
// left out of both (nil: no reuse). The scheduler uses it to weigh a month's
// load, the intro and the reminder to say how long it takes.
func (d *Definition) QuestionCount(reused func(key string) bool) (least, most int) {
	for _, q := range d.Questions {
		if q.ReuseKey != "" && q.ReuseAs == nil && reused != nil && reused(q.ReuseKey) {
			continue
		}
		most++
		if q.AskIf == nil {
			least++
		}
	}
	return least, most
}

// ReuseKeys returns the reuse keys d's questions carry, each with its
// window: a flow opened within that window after d may take d's answers to
// these keys instead of asking (see QuestionCount).
func (d *Definition) ReuseKeys() map[string]time.Duration {
	keys := map[string]time.Duration{}
	for _, q := range d.Questions {
		if q.ReuseKey != "" {
			keys[q.ReuseKey] = max(keys[q.ReuseKey], q.reuseWithin)
		}
	}
	return keys
}

// Remaining is how many questions a conversation in state st may still ask:
// those not answered yet, less the ones a fresh answer will fill.
func (d *Definition) Remaining(st State) int {
	n := 0
	for _, q := range d.Questions {
		if _, done := st.Answers[q.ID]; done {
			continue
		}
		if _, ok := st.Reuse[q.ReuseKey]; q.ReuseKey != "" && q.ReuseAs == nil && ok {
			continue
		}
		n++
	}
	return n
}

// secondsPerQuestion is what one button question takes on a phone, read and
// answered; the minutes we announce are rounded up from it.
const secondsPerQuestion = 20

// Minutes is the time n questions take, in whole minutes, at least 1.
func Minutes(questions int) int {
	return max(1, (questions*secondsPerQuestion+59)/60)
}

// Duration says "n minutes" in lang with the right plural (Arabic has four
// forms: 1, 2, 3–10, 11 and more).
func (t *Texts) Duration(lang string, minutes int) string {
	switch {
	case minutes <= 1:
		return t.Get(lang, "minutes_one")
	case minutes == 2:
		return t.Get(lang, "minutes_two")
	case minutes <= 10:
		return t.Get(lang, "minutes_few", minutes)
	}
	return t.Get(lang, "minutes_many", minutes)
}

// introText is the flow's intro in the conversation's language, with
// {questions} and {duration} filled in from what this conversation will ask.
func (r *run) introText() string {
	_, most := r.def.QuestionCount(func(key string) bool { _, ok := r.st.Reuse[key]; return ok })
	s := r.def.Intro.In(r.st.Lang)
	s = strings.ReplaceAll(s, "{questions}", FormatNumber(r.st.Lang, float64(most)))
	return strings.ReplaceAll(s, "{duration}", r.texts.Duration(r.st.Lang, Minutes(most)))
}

// ReuseSources lists, for each reuse key the flow uses, every question of
// the catalog's latest flows with that key, as "flow_id/question_id", and
// the longest window: what the caller looks up in the returnee's answers
// before Start.
func (c *Catalog) ReuseSources(def *Definition) (sources map[string][]string, within time.Duration) {
	for _, q := range def.Questions {
		if q.ReuseKey == "" || q.ReuseAs != nil {
			continue
		}
		if sources == nil {
			sources = map[string][]string{}
		}
		within = max(within, q.reuseWithin)
		for _, d := range c.List() {
			for _, o := range d.Questions {
				src := d.ID + "/" + o.ID
				if o.ReuseKey == q.ReuseKey && !slices.Contains(sources[q.ReuseKey], src) {
					sources[q.ReuseKey] = append(sources[q.ReuseKey], src)
				}
			}
		}
	}
	return sources, within
}

// SharedValue is the answer v to question qid of flow flowID as the other
// questions of its reuse key take it: itself, or mapped by reuse_as; ok is
// false when the answer is not handed on.
func (c *Catalog) SharedValue(flowID, qid string, v Value) (Value, bool) {
	d, ok := c.Latest(flowID)
	if !ok {
		return Value{}, false
	}
	q, ok := d.Question(qid)
	if !ok || q.ReuseKey == "" {
		return Value{}, false
	}
	if q.ReuseAs == nil {
		return v, true
	}
	from := v.Option
	if v.Kind == KindNumber {
		from = strconv.FormatFloat(v.Number, 'f', -1, 64)
	} else if v.Kind != KindOption {
		return Value{}, false
	}
	to, ok := q.ReuseAs[from]
	if !ok {
		return Value{}, false
	}
	return Value{Kind: KindOption, Option: to}, true
}
