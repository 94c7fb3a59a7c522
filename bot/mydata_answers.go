package bot

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"suivi/flows"
	"suivi/storage"
)

// mydataDate is how /mydata shows a date: 15/03/2026.
const mydataDate = "02/01/2006"

// answerShown is one answer as /mydata shows it: the flow's title, the
// question and the answer in the returnee's language.
type answerShown struct {
	Date, Flow, Question, Answer string
}

// showAnswer renders a stored answer with the definition it was given
// under (the latest version when that one is no longer loaded), so the
// question reads as it was asked.
func showAnswer(cat *flows.Catalog, texts *flows.Texts, lang string, loc *time.Location, a storage.StoredAnswer) answerShown {
	out := answerShown{Date: a.AnsweredAt.In(loc).Format(mydataDate), Flow: a.FlowID, Question: a.QuestionID}
	def, ok := cat.Get(a.FlowID, a.FlowVersion)
	if !ok {
		def, ok = cat.Latest(a.FlowID)
	}
	var q *flows.Question
	if ok {
		out.Flow = def.Title.In(lang)
		for _, dq := range def.Questions {
			if dq.ID == a.QuestionID {
				q = dq
				out.Question = dq.Text.In(lang)
			}
		}
	}
	var v flows.Value
	if err := json.Unmarshal(a.Value, &v); err != nil {
		return out
	}
	out.Answer = showValue(q, texts, lang, v)
	return out
}

// showValue is an answer's value in words: option labels, numbers with
// their unit, dates as 15/03/2026, "I prefer not to answer" for a skip.
func showValue(q *flows.Question, texts *flows.Texts, lang string, v flows.Value) string {
	switch v.Kind {
	case flows.KindOption:
		return optionLabel(q, texts, lang, v.Option)
	case flows.KindOptions:
		labels := make([]string, len(v.Options))
		for i, o := range v.Options {
			labels[i] = optionLabel(q, texts, lang, o)
		}
		return strings.Join(labels, ", ")
	case flows.KindNumber:
		n := strconv.FormatFloat(v.Number, 'f', -1, 64)
		if q != nil && len(q.Unit) > 0 {
			n += " " + q.Unit.In(lang)
		}
		if l := optionLabel(q, texts, lang, n); q != nil && q.Type == flows.TypeScale && l != n {
			n += " (" + l + ")"
		}
		return n
	case flows.KindText:
		return v.Text
	case flows.KindDate:
		if d, err := time.Parse(time.DateOnly, v.Date); err == nil {
			return d.Format(mydataDate)
		}
		return v.Date
	case flows.KindSkipped:
		return texts.Get(lang, "prefer_not")
	case flows.KindMedia:
		if key := "media_" + v.MediaKind; texts.Has(key) {
			return texts.Get(lang, key)
		}
		return texts.Get(lang, "media_other")
	}
	return ""
}

// optionLabel is the label of a choice as the returnee saw it.
func optionLabel(q *flows.Question, texts *flows.Texts, lang, value string) string {
	if q == nil {
		return value
	}
	for _, o := range q.Options {
		if o.Value != value {
			continue
		}
		if len(o.Label) > 0 {
			return o.Label.In(lang)
		}
		if q.Type == flows.TypeYesNo {
			return texts.Get(lang, value)
		}
	}
	return value
}
