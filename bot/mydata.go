package bot

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"strings"
	"time"

	"suivi/flows"
	"suivi/storage"
	"suivi/tgmsg"
)

// mydataItem is one thing /mydata shows: a field of the file or a choice
// (Label, Value), or an answer (with Date and Flow).
type mydataItem struct {
	Section, Date, Flow, Label, Value string
}

// Sections of /mydata, also its CSV's first column.
const (
	sectionRecord  = "record"
	sectionChoices = "choices"
	sectionAnswers = "answers"
)

// myData shows a returnee everything stored about them, in their language:
// the registry fields, their choices and consent, the counts of check-ins
// and alerts, and every answer with its question and date, as messages
// (split at Telegram's limit, between answers) and as a CSV document.
func (h *ReturneeHandler) myData(ctx context.Context, tx *sql.Tx, r storage.Returnee) error {
	t, lang := h.Conv.Texts, r.Language
	loc := time.UTC
	if l, err := time.LoadLocation(r.Timezone); err == nil && r.Timezone != "" {
		loc = l
	}
	items := h.mydataRecord(r, loc)
	convs, completed, _, alerts, err := storage.CountReturneeData(ctx, tx, r.ID)
	if err != nil {
		return err
	}
	answers, err := storage.ReturneeAnswers(ctx, tx, r.ID)
	if err != nil {
		return err
	}
	for _, a := range answers {
		s := showAnswer(h.Conv.Flows, t, lang, loc, a)
		items = append(items, mydataItem{Section: sectionAnswers, Date: s.Date, Flow: s.Flow, Label: s.Question, Value: s.Answer})
	}

	arrow := "→"
	if lang == "ar" {
		arrow = "←"
	}
	var b strings.Builder
	b.WriteString(t.Get(lang, "mydata_header"))
	section := ""
	for _, it := range items {
		if it.Section != section {
			section = it.Section
			b.WriteString("\n\n")
			switch section {
			case sectionRecord:
				b.WriteString(t.Get(lang, "mydata_section_record"))
			case sectionChoices:
				b.WriteString(t.Get(lang, "mydata_section_choices"))
			case sectionAnswers:
				b.WriteString(t.Get(lang, "mydata_checkins", convs, completed) + "\n" + t.Get(lang, "mydata_alerts", alerts))
				b.WriteString("\n\n" + t.Get(lang, "mydata_section_answers", len(answers)))
			}
		}
		if it.Section == sectionAnswers {
			b.WriteString("\n\n" + flows.Isolate(lang, it.Date) + " · " + it.Flow + "\n" + it.Label + "\n" + arrow + " " + flows.Isolate(lang, it.Value))
			continue
		}
		b.WriteString("\n" + t.Get(lang, "mydata_line", it.Label, it.Value))
	}
	if len(answers) == 0 {
		b.WriteString("\n\n" + t.Get(lang, "mydata_checkins", convs, completed) + "\n" + t.Get(lang, "mydata_alerts", alerts))
		b.WriteString("\n\n" + t.Get(lang, "mydata_no_answers"))
	}
	file, err := h.mydataCSV(lang, items)
	if err != nil {
		return err
	}
	msgs := tgmsg.Text(*r.ChatID, storage.LaneReply, b.String(), nil)
	msgs = append(msgs, tgmsg.Document(*r.ChatID, storage.LaneReply, "suivi-"+r.Ref+".csv", file, t.Get(lang, "mydata_document_caption")))
	return storage.EnqueueMessages(ctx, tx, msgs...)
}

// mydataRecord lists the registry fields and the returnee's choices that
// are set, with their labels in the returnee's language.
func (h *ReturneeHandler) mydataRecord(r storage.Returnee, loc *time.Location) []mydataItem {
	t, lang := h.Conv.Texts, r.Language
	var out []mydataItem
	add := func(section, key, value string) {
		if value != "" {
			out = append(out, mydataItem{Section: section, Label: t.Get(lang, "mydata_field_"+key), Value: value})
		}
	}
	date := func(d time.Time) string {
		if d.IsZero() || d.Year() < 1900 {
			return ""
		}
		return d.Format(mydataDate)
	}
	add(sectionRecord, "reference", r.Ref)
	add(sectionRecord, "birth_date", date(r.BirthDate))
	if r.Sex != "" {
		add(sectionRecord, "sex", t.Get(lang, "mydata_sex_"+r.Sex))
	}
	add(sectionRecord, "return_date", date(r.ReturnDate))
	add(sectionRecord, "host_country", r.HostCountry)
	add(sectionRecord, "region", r.Region)
	add(sectionRecord, "programme", r.Programme)
	add(sectionRecord, "assistance", strings.Join(r.Assistance, ", "))
	add(sectionRecord, "sector", r.Sector)
	add(sectionRecord, "vulnerabilities", strings.Join(r.Vulnerabilities, ", "))

	add(sectionChoices, "language", t.Get(lang, "language_name"))
	add(sectionChoices, "window", r.WindowStart+"–"+r.WindowEnd)
	add(sectionChoices, "timezone", r.Timezone)
	switch {
	case r.Status == storage.StatusPaused && r.PausedUntil != nil:
		add(sectionChoices, "status", t.Get(lang, "mydata_status_paused", r.PausedUntil.In(loc).Format(mydataDate)))
	case r.Status == storage.StatusStopped:
		add(sectionChoices, "status", t.Get(lang, "mydata_status_stopped"))
	default:
		add(sectionChoices, "status", t.Get(lang, "mydata_status_active"))
	}
	if r.ConsentAt != nil {
		add(sectionChoices, "consent", r.ConsentAt.In(loc).Format(mydataDate))
	}
	return out
}

// mydataCSV is the same data as a CSV file: one line per field or answer,
// the column names in the returnee's language.
func (h *ReturneeHandler) mydataCSV(lang string, items []mydataItem) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF") // spreadsheets then read the file as UTF-8
	w := csv.NewWriter(&buf)
	header := strings.Split(h.Conv.Texts.Get(lang, "mydata_csv_columns"), ",")
	if err := w.Write(header); err != nil {
		return nil, err
	}
	sections := map[string]string{
		sectionRecord:  h.Conv.Texts.Get(lang, "mydata_section_record"),
		sectionChoices: h.Conv.Texts.Get(lang, "mydata_section_choices"),
		sectionAnswers: h.Conv.Texts.Get(lang, "mydata_csv_answer"),
	}
	for _, it := range items {
		if err := w.Write([]string{sections[it.Section], it.Date, it.Flow, it.Label, it.Value}); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}
