package flows

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// defaultMaxLength bounds free text when the definition says nothing.
const defaultMaxLength = 500

// press handles a button of the current question; false means the value is
// not one this question offers.
func (r *run) press(q *Question, value string) bool {
	switch value {
	case payloadSkip:
		if !q.CanSkip() {
			return false
		}
		r.pressed(q, r.texts.Get(r.st.Lang, "prefer_not"))
		r.record(q, Value{Kind: KindSkipped})
		return true
	case payloadDone:
		if q.Type != TypeMultiple {
			return false
		}
		if len(r.st.Pending) == 0 {
			r.res.CallbackText = r.texts.Get(r.st.Lang, "reprompt_multiple_empty")
			return true
		}
		v := multipleValue(q, r.st.Pending)
		r.pressed(q, r.labels(q, v.Options))
		r.record(q, v)
		return true
	}
	o := q.option(value)
	if o == nil || !q.choice() {
		return false
	}
	if q.Type == TypeMultiple {
		r.st.Pending = toggle(q, r.st.Pending, o)
		r.res.EditButtons = r.keyboard(q)
		return true
	}
	r.pressed(q, r.optionLabel(q, o))
	r.record(q, r.optionValue(q, o))
	return true
}

// pressed sets the text that replaces the pressed question's message.
func (r *run) pressed(q *Question, choice string) {
	r.res.PressedEdit = r.questionText(q) + "\n\n" + r.texts.Get(r.st.Lang, "choice_recorded", choice)
}

// toggle switches o in the pending choices of a multiple-choice question: an
// exclusive option ("none of these") clears the others and the other way
// round.
func toggle(q *Question, pending []string, o *Option) []string {
	if i := slices.Index(pending, o.Value); i >= 0 {
		return slices.Delete(pending, i, i+1)
	}
	if o.Exclusive {
		return []string{o.Value}
	}
	pending = slices.DeleteFunc(pending, func(v string) bool {
		p := q.option(v)
		return p == nil || p.Exclusive
	})
	return append(pending, o.Value)
}

// multipleValue puts chosen options in the definition's order.
func multipleValue(q *Question, chosen []string) Value {
	var vals []string
	for _, o := range q.Options {
		if slices.Contains(chosen, o.Value) {
			vals = append(vals, o.Value)
		}
	}
	return Value{Kind: KindOptions, Options: vals}
}

func (r *run) optionValue(q *Question, o *Option) Value {
	if q.Type == TypeScale {
		n, _ := strconv.Atoi(o.Value)
		return Value{Kind: KindNumber, Number: float64(n)}
	}
	return Value{Kind: KindOption, Option: o.Value}
}

// typed handles a typed message.
func (r *run) typed(q *Question, s string) {
	s = strings.TrimSpace(s)
	if s == "" {
		r.reprompt(q, r.expected(q))
		return
	}
	if q.CanSkip() && r.matches(s, "prefer_not") {
		r.record(q, Value{Kind: KindSkipped})
		return
	}
	switch q.Type {
	case TypeSingle, TypeYesNo, TypeScale:
		if o := r.matchOption(q, s); o != nil {
			r.record(q, r.optionValue(q, o))
			return
		}
		if q.FreeText {
			// Some answer a question in their own words ("I'm fine, thank
			// God"): kept as said for the case worker, never guessed into
			// an option.
			limit := cmp.Or(q.MaxLength, defaultMaxLength)
			if utf8.RuneCountInString(s) > limit {
				r.reprompt(q, r.texts.Get(r.st.Lang, "reprompt_text_too_long", FormatNumber(r.st.Lang, float64(limit))))
				return
			}
			r.record(q, Value{Kind: KindText, Text: s})
			return
		}
	case TypeMultiple:
		var chosen []string
		for _, part := range strings.FieldsFunc(s, func(c rune) bool { return c == ',' || c == ';' || c == '،' || c == '\n' }) {
			o := r.matchOption(q, part)
			if o == nil {
				chosen = nil
				break
			}
			chosen = toggle(q, slices.DeleteFunc(chosen, func(v string) bool { return v == o.Value }), o)
		}
		if len(chosen) > 0 {
			r.record(q, multipleValue(q, chosen))
			return
		}
	case TypeNumber:
		v, err := ParseNumber(s)
		if err == nil && r.inBounds(q, v) {
			r.record(q, Value{Kind: KindNumber, Number: v})
			return
		}
		if err == nil && q.Integer && v != math.Trunc(v) {
			r.reprompt(q, r.texts.Get(r.st.Lang, "reprompt_integer"))
			return
		}
	case TypeText:
		limit := q.MaxLength
		if limit == 0 {
			limit = defaultMaxLength
		}
		if utf8.RuneCountInString(s) > limit {
			r.reprompt(q, r.texts.Get(r.st.Lang, "reprompt_text_too_long", FormatNumber(r.st.Lang, float64(limit))))
			return
		}
		r.record(q, Value{Kind: KindText, Text: s})
		return
	case TypeDate:
		if t, err := ParseDate(s, r.env.Now); err == nil {
			r.record(q, Value{Kind: KindDate, Date: t.Format("2006-01-02")})
			return
		}
	}
	r.reprompt(q, r.expected(q))
}

func (r *run) inBounds(q *Question, v float64) bool {
	return (q.Min == nil || v >= *q.Min) && (q.Max == nil || v <= *q.Max) && (!q.Integer || v == math.Trunc(v))
}

// media handles a sticker, photo, voice note… sent instead of an answer. A
// photo or voice note is kept for the case worker under "<qid>#media"; the
// question stays open.
func (r *run) media(q *Question, in Input) {
	lang := r.st.Lang
	kind := in.MediaKind
	name := r.texts.Get(lang, "media_"+kind)
	if !slices.Contains([]string{"sticker", "photo", "voice", "location", "document", "video"}, kind) {
		name = r.texts.Get(lang, "media_other")
	}
	line := r.texts.Get(lang, "reprompt_media", name)
	if (kind == "photo" || kind == "voice") && in.FileID != "" {
		r.res.Answers = append(r.res.Answers, Answer{
			QuestionID: q.ID + "#media",
			Value:      Value{Kind: KindMedia, MediaKind: kind, FileID: in.FileID},
		})
		line += " " + r.texts.Get(lang, "media_kept")
	}
	r.reprompt(q, line+"\n"+r.expected(q))
}

// expected says what the current question needs.
func (r *run) expected(q *Question) string {
	lang := r.st.Lang
	switch q.Type {
	case TypeNumber:
		unit := ""
		if q.Unit != nil {
			unit = " (" + Isolate(lang, q.Unit.In(lang)) + ")"
		}
		switch {
		case q.Min != nil && q.Max != nil:
			return r.texts.Get(lang, "reprompt_number", FormatNumber(lang, *q.Min), FormatNumber(lang, *q.Max), unit)
		case q.Min != nil:
			return r.texts.Get(lang, "reprompt_number_min", FormatNumber(lang, *q.Min), unit)
		case q.Max != nil:
			return r.texts.Get(lang, "reprompt_number_max", FormatNumber(lang, *q.Max), unit)
		}
		return r.texts.Get(lang, "reprompt_number_any", unit)
	case TypeText:
		return r.texts.Get(lang, "reprompt_text")
	case TypeDate:
		return r.texts.Get(lang, "reprompt_date")
	}
	return r.texts.Get(lang, "reprompt_choice")
}

// reprompt answers an input that does not fit: what is expected, and for a
// choice the question and its buttons again.
func (r *run) reprompt(q *Question, line string) {
	r.st.Invalid++
	text := line
	if q.choice() {
		text += "\n\n" + r.questionText(q)
	}
	r.res.Messages = append(r.res.Messages, Message{Text: text, Buttons: r.keyboard(q)})
}

// matchOption finds the option a typed text names: its value, its label in
// any language (case and spacing aside), or its number in the list.
func (r *run) matchOption(q *Question, s string) *Option {
	s = fold(s)
	for _, o := range q.Options {
		if fold(o.Value) == s {
			return o
		}
	}
	for _, o := range q.Options {
		for _, l := range languages {
			if fold(r.optionLabelIn(q, o, l)) == s {
				return o
			}
		}
	}
	if q.Type != TypeScale {
		if n, err := strconv.Atoi(normalizeDigits(s)); err == nil && n >= 1 && n <= len(q.Options) {
			return q.Options[n-1]
		}
	}
	return nil
}

// matches reports whether s is the text of key in some language.
func (r *run) matches(s, key string) bool {
	s = fold(s)
	for _, l := range languages {
		if fold(r.texts.Get(l, key)) == s {
			return true
		}
	}
	return false
}

// fold prepares a typed text for comparison: lower case, single spaces, no
// directional marks, no check mark, Arabic-Indic digits as ASCII.
func fold(s string) string {
	s = strings.ToLower(normalizeDigits(s))
	s = strings.TrimPrefix(strings.TrimSpace(s), "✓")
	return strings.Join(strings.Fields(s), " ")
}
