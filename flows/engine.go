package flows

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// run is one Start or Step at work: the definition, a private copy of the
// state and the result being built. Nothing outside it is touched.
type run struct {
	def   *Definition
	env   Env
	texts *Texts
	st    State
	res   Result
}

func newRun(def *Definition, st State, env Env) *run {
	t := env.Texts
	if t == nil {
		t = embeddedTexts()
	}
	return &run{def: def, env: env, texts: t, st: st}
}

// Start opens a conversation in lang (fr, ar or en; anything else is French):
// the flow's intro and its first question, in one message so the returnee
// does not wait for the second under Telegram's one message a second.
func Start(def *Definition, lang string, env Env) Result {
	r := newRun(def, State{FlowID: def.ID, Version: def.Version, Lang: normLang(lang)}.clone(), env)
	r.st.Reuse = def.freshAnswers(env)
	r.advance(-1)
	if def.Intro != nil {
		intro := r.introText()
		if len(r.res.Messages) > 0 {
			r.res.Messages[0].Text = intro + "\n\n" + r.res.Messages[0].Text
		} else {
			r.res.Messages = append([]Message{{Text: intro}}, r.res.Messages...)
		}
	}
	return r.result()
}

// Step applies one input to a conversation. It never changes st; the new
// state is in the result. A press on a button of a question no longer asked
// is Stale, an input the engine cannot use is Ignored: in both cases the
// result holds st unchanged and nothing to store.
func Step(def *Definition, st State, in Input, env Env) Result {
	r := newRun(def, st.clone(), env)
	if st.FlowID != def.ID || st.Version != def.Version {
		return r.ignore(st, "state belongs to "+st.FlowID+" v"+strconv.Itoa(st.Version))
	}
	var q *Question
	if !st.Finished && st.Current != "" {
		q, _ = def.Question(st.Current)
	}
	switch in.Kind {
	case InputButton:
		qid, value, ok := strings.Cut(in.Button, ":")
		if !ok || qid == "" || value == "" || len(in.Button) > MaxPayload {
			return r.ignore(st, "malformed payload")
		}
		if q == nil || qid != q.ID {
			return Result{State: st, Stale: true, CallbackText: r.texts.Get(st.Lang, "question_closed")}
		}
		if !r.press(q, value) {
			return r.ignore(st, "unknown button value")
		}
	case InputText:
		if q == nil {
			return r.ignore(st, "no question is being asked")
		}
		r.typed(q, in.Text)
	case InputMedia:
		if q == nil {
			return r.ignore(st, "no question is being asked")
		}
		r.media(q, in)
	default:
		return r.ignore(st, "unknown input kind")
	}
	return r.result()
}

// ignore is the result of an input that changes nothing.
func (r *run) ignore(st State, reason string) Result {
	return Result{State: st, Ignored: true, Reason: reason}
}

func (r *run) result() Result {
	r.res.State = r.st
	r.res.Finished = r.st.Finished
	return r.res
}

func (r *run) say(text string) {
	r.res.Messages = append(r.res.Messages, Message{Text: text})
}

func (r *run) scope() scope {
	return scope{answers: r.st.Answers, computed: r.st.Computed}
}

// record stores an answer to the current question, hands over its settings,
// recomputes, raises alerts and moves on.
func (r *run) record(q *Question, v Value) {
	r.store(q, v)
	if held := r.settle(false); held {
		r.finish(false)
		return
	}
	r.advance(r.def.byID[q.ID])
}

// store keeps an answer and hands over its settings.
func (r *run) store(q *Question, v Value) {
	r.st.Answers[q.ID] = v
	r.res.Answers = append(r.res.Answers, Answer{
		QuestionID: q.ID, Value: v, Score: answerScore(q, v), Dimension: q.Dimension, Indicator: q.Indicator,
	})
	var chosen []string
	switch v.Kind {
	case KindOption:
		chosen = []string{v.Option}
	case KindOptions:
		chosen = v.Options
	}
	for _, val := range chosen {
		if q.Setting != "" {
			r.setting(q.Setting, val)
		}
		if o := q.option(val); o != nil {
			keys := make([]string, 0, len(o.Set))
			for k := range o.Set {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				r.setting(k, o.Set[k])
			}
		}
	}
	r.st.Invalid, r.st.Pending = 0, nil
}

// settle recomputes and raises the alerts that now hold, reporting whether
// one puts the returnee on hold.
func (r *run) settle(final bool) bool {
	r.recompute(final)
	return r.raiseAlerts()
}

func (r *run) setting(key, value string) {
	if r.res.Settings == nil {
		r.res.Settings = map[string]string{}
	}
	r.res.Settings[key] = value
	if key == "language" && SupportedLanguage(value) {
		r.st.Lang = value
	}
}

// answerScore is the score an answer feeds its dimension or indicator with:
// the option's score, the best score of the options chosen, or nil.
func answerScore(q *Question, v Value) *float64 {
	var vals []string
	switch v.Kind {
	case KindOption:
		vals = []string{v.Option}
	case KindOptions:
		vals = v.Options
	case KindNumber:
		if q.Type == TypeScale {
			vals = []string{strconv.FormatFloat(v.Number, 'f', -1, 64)}
		}
	}
	var best *float64
	for _, val := range vals {
		if o := q.option(val); o != nil && o.Score != nil && (best == nil || *o.Score > *best) {
			s := *o.Score
			best = &s
		}
	}
	return best
}

// nextIndex is where the conversation goes after question i (-1: before the
// first): the first next rule that holds, else the next question in the
// file; -1 is the end.
func (r *run) nextIndex(i int) int {
	if i >= 0 {
		for _, rule := range r.def.Questions[i].Next {
			if !rule.If.holds(r.scope()) {
				continue
			}
			if rule.Goto == gotoEnd {
				return -1
			}
			if j, ok := r.def.byID[rule.Goto]; ok {
				return j
			}
		}
	}
	if i+1 >= len(r.def.Questions) {
		return -1
	}
	return i + 1
}

// advance asks the next question after question i that is not answered yet
// and whose ask_if holds, or finishes the flow.
func (r *run) advance(i int) {
	for range len(r.def.Questions) + 1 {
		i = r.nextIndex(i)
		if i < 0 {
			break
		}
		q := r.def.Questions[i]
		if _, answered := r.st.Answers[q.ID]; answered || !q.AskIf.holds(r.scope()) {
			continue
		}
		if v, ok := r.reusable(q); ok {
			r.store(q, v)
			if held := r.settle(false); held {
				r.finish(false)
				return
			}
			continue
		}
		r.st.Current, r.st.Invalid, r.st.Pending = q.ID, 0, nil
		r.res.Messages = append(r.res.Messages, Message{Text: r.questionText(q), Buttons: r.keyboard(q)})
		return
	}
	// At the end, questions never asked are known to be left out: scores
	// that waited for them can be computed, and rules on them raised.
	held := r.settle(true)
	r.finish(!held)
}

// finish ends the flow, with the first ending that holds unless an alert put
// the returnee on hold (its reply is the last word then).
func (r *run) finish(withEnding bool) {
	r.st.Current, r.st.Finished, r.st.Invalid, r.st.Pending = "", true, 0, nil
	if !withEnding {
		return
	}
	for _, e := range r.def.Endings {
		if e.If.holds(r.scope()) {
			r.say(e.Text.In(r.st.Lang))
			return
		}
	}
}

// raiseAlerts raises every rule that now holds and has not been raised in this
// conversation, sends its reply, and reports whether one puts the returnee on
// hold.
func (r *run) raiseAlerts() bool {
	held := false
	for _, a := range r.def.Alerts {
		if slices.Contains(r.st.Fired, a.ID) || !a.When.holds(r.scope()) {
			continue
		}
		r.st.Fired = append(r.st.Fired, a.ID)
		alert := Alert{RuleID: a.ID, Category: a.Category, Severity: a.Severity, Message: maps.Clone(a.Message), Hold: a.Hold}
		for _, ref := range a.questions {
			if _, ok := r.st.Answers[ref]; ok {
				alert.QuestionIDs = append(alert.QuestionIDs, ref)
			}
		}
		if a.Reply != nil {
			alert.Reply = strings.ReplaceAll(a.Reply.In(r.st.Lang), "{emergency_contacts}", r.emergencyContacts())
			r.say(alert.Reply)
		}
		r.res.Alerts = append(r.res.Alerts, alert)
		held = held || a.Hold
	}
	return held
}

func (r *run) emergencyContacts() string {
	if s := Text(r.env.EmergencyContacts).In(r.st.Lang); s != "" {
		return s
	}
	return r.texts.Get(r.st.Lang, "emergency_contacts_fallback")
}
