package app_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"suivi/bot/telegramtest"
	"suivi/flows"
	"suivi/storage"
)

// mydataAnswers stores n completed wellbeing check-ins for the returnee,
// every question answered with its first option (a skip for the last one),
// on 15/03/2026, and returns the definition used.
func mydataAnswers(t *testing.T, w *world, cat *flows.Catalog, ref string, n int) *flows.Definition {
	t.Helper()
	ctx := t.Context()
	def, ok := cat.Latest("wellbeing")
	if !ok {
		t.Fatal("no wellbeing flow")
	}
	r, err := storage.ReturneeByRef(ctx, w.DB, ref)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	for range n {
		var conv int64
		if err := w.DB.QueryRow(`INSERT INTO conversations (returnee_id, flow_id, flow_version, status, started_at, finished_at)
			VALUES ($1, $2, $3, 'completed', $4, $4) RETURNING id`, r.ID, def.ID, def.Version, at).Scan(&conv); err != nil {
			t.Fatal(err)
		}
		var rows []storage.AnswerRow
		for i, q := range def.Questions {
			v := flows.Value{Kind: flows.KindSkipped}
			if i < len(def.Questions)-1 && len(q.Options) > 0 {
				v = flows.Value{Kind: flows.KindOption, Option: q.Options[0].Value}
				if q.Type == flows.TypeScale {
					v = flows.Value{Kind: flows.KindNumber, Number: 0}
				}
			}
			raw, _ := json.Marshal(v)
			rows = append(rows, storage.AnswerRow{QuestionID: q.ID, Value: raw})
		}
		if err := storage.InsertAnswers(ctx, w.DB, conv, r.ID, def.ID, rows, at); err != nil {
			t.Fatal(err)
		}
	}
	return def
}

// mydataReply sends /mydata and returns the text messages and the document
// that came back.
func mydataReply(t *testing.T, w *world, p *person) (texts []telegramtest.Message, doc telegramtest.Message, file []byte) {
	t.Helper()
	p.seen = len(w.Fake.Messages(p.u.ID()))
	p.u.SendCommand("mydata", "")
	for {
		m := p.next()
		if m.Kind == "document" {
			doc = m
			break
		}
		texts = append(texts, m)
	}
	p.settle()
	calls := w.Fake.Calls("sendDocument")
	if len(calls) == 0 || len(calls[len(calls)-1].Files) != 1 {
		t.Fatalf("sendDocument calls %+v, want one upload", calls)
	}
	return texts, doc, calls[len(calls)-1].Files[0].Data
}

func TestMyDataShowsEverything(t *testing.T) {
	w, r, p, ref := enrolled(t, 8700)
	def := mydataAnswers(t, w, r.App.Flows, ref, 1)
	if _, err := w.DB.Exec(`UPDATE returnees SET assistance = '{microproject,material}', sector = 'commerce',
		vulnerabilities = '{medical}' WHERE ref = $1`, ref); err != nil {
		t.Fatal(err)
	}
	var consentAt time.Time
	w.DB.QueryRow(`SELECT consent_at FROM returnees WHERE ref = $1`, ref).Scan(&consentAt)

	texts, doc, file := mydataReply(t, w, p)
	var all strings.Builder
	for _, m := range texts {
		all.WriteString(m.Text + "\n")
	}
	text := all.String()
	for _, want := range []string{ref, "01/03/1994", "femme", "01/06/2026", "IT", "Oriental", "AVRR", "microproject, material",
		"commerce", "medical", "Français", "Accord donné le : " + consentAt.UTC().Format("02/01/2006"), "en cours",
		"15/03/2026 · " + def.Title.In("fr"), "Je préfère ne pas répondre"} {
		if !strings.Contains(text, want) {
			t.Errorf("/mydata does not show %q:\n%s", want, text)
		}
	}
	for _, q := range def.Questions {
		if !strings.Contains(text, q.Text.In("fr")) {
			t.Errorf("/mydata does not show the question %q", q.Text.In("fr"))
		}
	}
	if strings.Contains(text, "2026-") {
		t.Errorf("a date is not shown as 15/03/2026:\n%s", text)
	}
	if doc.FileName != "suivi-"+ref+".csv" || doc.Caption == "" {
		t.Errorf("document %q with caption %q", doc.FileName, doc.Caption)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(file, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	if got := strings.Join(rows[0], ","); got != "rubrique,date,suivi,élément,valeur" {
		t.Errorf("CSV header %q", got)
	}
	answers := 0
	for _, row := range rows[1:] {
		if row[0] == "réponse" && row[2] == def.Title.In("fr") {
			answers++
			if row[1] != "15/03/2026" || row[3] == "" || row[4] == "" {
				t.Errorf("CSV answer row %q", row)
			}
		}
	}
	if answers != len(def.Questions) {
		t.Errorf("%d answers in the CSV, want %d", answers, len(def.Questions))
	}
	if !bytes.Contains(file, []byte("Oriental")) || !bytes.Contains(file, []byte(ref)) {
		t.Errorf("the CSV lacks the file's fields:\n%s", file)
	}
	// The file leaves no copy behind in the outbox.
	if n := w.count(`SELECT count(*) FROM outbox WHERE method = 'sendDocument'`); n != 0 {
		t.Errorf("%d document rows kept in the outbox after sending", n)
	}
}

func TestMyDataSplitsLongAnswers(t *testing.T) {
	w, r, p, ref := enrolled(t, 8710)
	def := mydataAnswers(t, w, r.App.Flows, ref, 12)
	texts, _, file := mydataReply(t, w, p)
	if len(texts) < 2 {
		t.Fatalf("%d message(s) for %d answers: want the text split", len(texts), 12*len(def.Questions))
	}
	var all strings.Builder
	for _, m := range texts {
		if n := utf8.RuneCountInString(m.Text); n > 4096 || n == 0 {
			t.Errorf("a part of %d characters", n)
		}
		all.WriteString(m.Text + "\n")
	}
	q := def.Questions[0].Text.In("fr")
	if n := strings.Count(all.String(), q); n != 12 {
		t.Errorf("question %q shown %d times across the parts, want 12", q, n)
	}
	if n := strings.Count(all.String(), "15/03/2026 · "); n != 12*len(def.Questions) {
		t.Errorf("%d dated answers across the parts, want %d", n, 12*len(def.Questions))
	}
	if n := bytes.Count(file, []byte("\n")); n < 12*len(def.Questions)+1 {
		t.Errorf("the CSV has %d lines for %d answers", n, 12*len(def.Questions))
	}
}
