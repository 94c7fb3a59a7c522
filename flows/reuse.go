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

// checkReuse checks the reuse fields of a question.
func (c *checker) checkReuse(q *Question) {
	if q.ReuseKey == "" && q.ReuseWithin == "" && q.ReuseAs == nil {
		return
	}
	if q.ReuseKey == "" || q.ReuseWithin == "" {
		c.add(q.Line, fmt.Sprintf("question %q: reuse_key and reuse_within go together", q.ID), "write both, like reuse_key: work_status and reuse_within: 14d")
		return
	}
	if !idPattern.MatchString(q.ReuseKey) {
		c.add(q.Line, fmt.Sprintf("question %q: reuse_key %q: use lower-case letters, digits and _", q.ID, q.ReuseKey), "")
	}
	d, err := parseReuseWithin(q.ReuseWithin)
	if err != nil {
		c.add(q.Line, fmt.Sprintf("question %q: reuse_within: %v", q.ID, err), "write a number of days, like 14d")
	}
	q.reuseWithin = d
	if q.Type == TypeText || q.Setting != "" {
		c.add(q.Line, fmt.Sprintf("question %q: a free text or a setting cannot be reused", q.ID), "remove reuse_key and reuse_within")
	}
	for from, to := range q.ReuseAs {
		if q.option(from) == nil || !valuePattern.MatchString(to) {
			c.add(q.Line, fmt.Sprintf("question %q: reuse_as %s: %s: the left side must be an option of this question, the right side a value", q.ID, from, to),
				"write like reuse_as: {operating: \"yes\"}")
		}
	}
}

// checkReuseAcross checks that questions sharing a reuse key, in any file,
// ask for the same kind of answer with the same options, so that an answer
// to one is a valid answer to the other, and that what reuse_as hands on is
// an option of theirs.
func checkReuseAcross(defs []*Definition) []Problem {
	var problems []Problem
	first := map[string]*Question{}
	where := map[string]string{}
	for _, d := range defs {
		for _, q := range d.Questions {
			if q.ReuseKey == "" || q.ReuseAs != nil {
				continue
			}
			f, ok := first[q.ReuseKey]
			if !ok {
				first[q.ReuseKey], where[q.ReuseKey] = q, d.File+" question "+q.ID
				continue
			}
			if f.Type != q.Type || !slices.Equal(optionValues(f), optionValues(q)) {
				problems = append(problems, Problem{File: d.File, Line: q.Line,
					Message: fmt.Sprintf("question %q: reuse_key %q is also on %s, which has another type or other options", q.ID, q.ReuseKey, where[q.ReuseKey]),
					Fix:     "give both the same type and option values, or another reuse_key"})
			}
		}
	}
	for _, d := range defs {
		for _, q := range d.Questions {
			f, ok := first[q.ReuseKey]
			if q.ReuseAs == nil || q.ReuseKey == "" {
				continue
			}
			if !ok {
				continue // the taking question may be in another folder (embedded)
			}
			if f.Type != TypeSingle && f.Type != TypeYesNo {
				problems = append(problems, Problem{File: d.File, Line: q.Line,
					Message: fmt.Sprintf("question %q: reuse_as hands answers on to reuse_key %q, taken by a question that is not single or yes/no", q.ID, q.ReuseKey),
					Fix:     "hand answers on only to a single or yes/no question"})
				continue
			}
			for _, to := range q.ReuseAs {
				if f.option(to) == nil {
					problems = append(problems, Problem{File: d.File, Line: q.Line,
						Message: fmt.Sprintf("question %q: reuse_as gives %q, not an option of %s", q.ID, to, where[q.ReuseKey]),
						Fix:     "options are " + strings.Join(optionValues(f), ", ")})
				}
			}
		}
	}
	return problems
}

func optionValues(q *Question) []string {
	vals := make([]string, 0, len(q.Options))
	for _, o := range q.Options {
		vals = append(vals, o.Value)
	}
	slices.Sort(vals)
	return vals
}
