package flows

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Keyboard layout: buttons share a row while their labels stay short, so that
// "Yes / No" or "1 2 3 4 5" sit on one line and long labels get a line each.
const (
	rowBudget  = 36 // runes per row, counting buttonCost per button
	buttonCost = 4
)

// questionText is the question as shown: in the returnee's language, or in
// every language when it is asked before the language is known.
func (r *run) questionText(q *Question) string {
	var text string
	if q.AllLanguages {
		parts := make([]string, 0, len(languages))
		for _, l := range languages {
			parts = append(parts, q.Text[l])
		}
		text = strings.Join(parts, "\n")
	} else {
		text = q.Text.In(r.st.Lang)
	}
	text = r.fill(text)
	if q.Type == TypeMultiple {
		text += "\n" + r.texts.Get(r.st.Lang, "multiple_hint")
	}
	return text
}

func (r *run) optionLabel(q *Question, o *Option) string {
	return r.optionLabelIn(q, o, r.st.Lang)
}

// optionLabelIn is an option's label in lang: its own, yes or no from the
// texts catalog, or the number of a scale point.
func (r *run) optionLabelIn(q *Question, o *Option, lang string) string {
	if o.Label != nil {
		return o.Label.In(lang)
	}
	if q.Type == TypeYesNo {
		return r.texts.Get(lang, o.Value)
	}
	return o.Value
}

// labels joins the labels of chosen options.
func (r *run) labels(q *Question, vals []string) string {
	var ls []string
	for _, v := range vals {
		if o := q.option(v); o != nil {
			ls = append(ls, r.optionLabel(q, o))
		}
	}
	return strings.Join(ls, ", ")
}

// keyboard is the question's buttons: its options (toggles marked ✓ for a
// multiple choice), "done" for a multiple choice, and "prefer not to answer"
// unless the question may not be skipped.
func (r *run) keyboard(q *Question) [][]Button {
	var rows [][]Button
	var row []Button
	width := 0
	budget := rowBudget
	if q.Type == TypeScale && len(q.Labels) > 0 {
		budget = 0 // a labelled scale reads as a ladder, one point a line
	}
	for _, o := range q.Options {
		label := r.optionLabel(q, o)
		if q.Type == TypeMultiple && slices.Contains(r.st.Pending, o.Value) {
			label = "✓ " + label
		}
		cost := utf8.RuneCountInString(label) + buttonCost
		if len(row) > 0 && width+cost > budget {
			rows, row, width = append(rows, row), nil, 0
		}
		row = append(row, Button{Text: label, Payload: payload(q.ID, o.Value)})
		width += cost
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	if q.Type == TypeMultiple {
		rows = append(rows, []Button{{Text: r.texts.Get(r.st.Lang, "done_button"), Payload: payload(q.ID, payloadDone)}})
	}
	if q.CanSkip() {
		rows = append(rows, []Button{{Text: r.texts.Get(r.st.Lang, "prefer_not"), Payload: payload(q.ID, payloadSkip)}})
	}
	return rows
}

// Placeholders a definition's texts may use, filled in by the engine.
var placeholders = []string{"{emergency_contacts}", "{duration}", "{questions}", "{retention_months}"}

// fill puts the retention the caller configured in a question's text.
func (r *run) fill(s string) string {
	if !strings.Contains(s, "{retention_months}") {
		return s
	}
	months := r.env.RetentionMonths
	if months <= 0 {
		months = DefaultRetentionMonths
	}
	return strings.ReplaceAll(s, "{retention_months}", FormatNumber(r.st.Lang, float64(months)))
}
