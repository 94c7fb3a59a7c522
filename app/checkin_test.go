package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	"suivi/app"
	"suivi/storage"
)

// enrolled returns a returnee who finished onboarding in French.
func enrolled(t *testing.T, id int64) (*world, *running, *person, string) {
	w, r := conversational(t)
	ref := "MA-C-1"
	p := w.person(id, "fr")
	p.onboard(w.enrol(ref))
	return w, r, p, ref
}

func answerValue(t *testing.T, w *world, question string) map[string]any {
	t.Helper()
	var raw []byte
	if err := w.DB.QueryRow(`SELECT value FROM answers WHERE question_id = $1`, question).Scan(&raw); err != nil {
		t.Fatalf("answer %s: %v", question, err)
	}
	var v map[string]any
	json.Unmarshal(raw, &v)
	return v
}

func TestCheckinBadInputsAndOldKeyboards(t *testing.T) {
	w, r, p, ref := enrolled(t, 8300)
	w.startCheckin(r, ref, "project_checkin")
	status := p.answer(":operating")
	revenueQ := p.next()
	if !strings.Contains(revenueQ.Text, "dirhams") {
		t.Fatalf("expected the revenue question, got %q", revenueQ.Text)
	}
	// A press on the status keyboard again: closed, nothing changes.
	p.u.Press(status.ID, status.Buttons()[0][len(status.Buttons()[0])-1].Data)
	p.u.SendSticker()
	reprompt := p.next()
	if reprompt.Text == "" {
		t.Fatal("no re-prompt after a sticker")
	}
	p.u.SendText("beaucoup")
	p.next() // re-prompt for a number
	p.u.SendText("1 500 dh")
	p.settle()
	if v := answerValue(t, w, "revenue"); v["number"] != 1500.0 {
		t.Fatalf("revenue stored as %v, want 1500", v)
	}
	if v := answerValue(t, w, "status"); v["option"] != "operating" {
		t.Fatalf("status %v changed by an old keyboard press", v)
	}
	answers := w.Fake.CallbackAnswers()
	if len(answers) == 0 || !strings.Contains(answers[len(answers)-1].Text, "close") {
		t.Fatalf("the old-keyboard press was not answered as closed: %+v", answers)
	}
	// The question message was edited to show the choice, without keyboard.
	edited, _ := w.Fake.Message(p.u.ID(), status.ID)
	if len(edited.Buttons()) != 0 || !strings.Contains(edited.Text, "✓") {
		t.Fatalf("pressed question not edited: %q %v", edited.Text, edited.Buttons())
	}
	// A photo where a yes/no is expected is kept for the case worker.
	p.seen = len(w.Fake.Messages(p.u.ID()))
	p.u.SendPhoto("")
	p.next()
	p.settle()
	if n := w.count(`SELECT count(*) FROM answers WHERE question_id LIKE 'covers#media%' AND value->>'kind' = 'media'`); n != 1 {
		t.Fatalf("%d photos kept, want 1", n)
	}
	// Editing an earlier message never rewrites an answer.
	p.u.EditText(1, "99999")
	p.settle()
	if v := answerValue(t, w, "revenue"); v["number"] != 1500.0 {
		t.Fatalf("an edit rewrote the revenue: %v", v)
	}
	// Forged callback data is ignored, answered, and stores nothing.
	before := w.count(`SELECT count(*) FROM answers`)
	p.u.Press(status.ID, "c999999:status:closed")
	p.u.Press(status.ID, "zz:forged")
	p.settle()
	if after := w.count(`SELECT count(*) FROM answers`); after != before {
		t.Fatal("forged callback data stored an answer")
	}
	if un := w.Fake.Unanswered(); len(un) != 0 {
		t.Fatalf("unanswered callback queries: %v", un)
	}
}

func TestCheckinSurvivesRestartAndResumes(t *testing.T) {
	w, r, p, ref := enrolled(t, 8400)
	w.startCheckin(r, ref, "wellbeing")
	p.answer(":4")
	p.answer(":4")
	p.settle()
	r.Stop()
	r2 := w.start(w.Cfg, app.Options{})
	_ = r2
	// Hours later the returnee comes back with /start: the question waiting is asked again.
	p.seen = len(w.Fake.Messages(p.u.ID()))
	p.u.SendCommand("start", "")
	third := p.next()
	if len(third.Buttons()) == 0 {
		t.Fatalf("expected the waiting question again, got %q", third.Text)
	}
	p.press(third, ":4")
	for range 2 {
		p.answer(":4")
	}
	p.settle()
	if n := w.count(`SELECT count(*) FROM answers WHERE question_id LIKE 'who5_%'`); n != 5 {
		t.Fatalf("%d WHO-5 answers, want 5 (each asked once)", n)
	}
	if n := w.count(`SELECT count(*) FROM conversations WHERE flow_id = 'wellbeing' AND status = 'completed'`); n != 1 {
		t.Fatal("the check-in did not complete after the restart")
	}
	if n := w.count(`SELECT count(*) FROM answers WHERE question_id = 'safety'`); n != 0 {
		t.Fatal("good wellbeing should not lead to the safety question")
	}
}

func TestCommands(t *testing.T) {
	w, _, p, ref := enrolled(t, 8500)
	p.u.SendCommand("help", "")
	help := p.next()
	p.press(help, "h:talk")
	p.settle()
	alerts, _ := storage.ListAlerts(t.Context(), w.DB, storage.AlertFilter{Category: "help_request"})
	if len(alerts) != 1 || alerts[0].Severity != "medium" {
		t.Fatalf("help request alerts %+v", alerts)
	}
	p.seen = len(w.Fake.Messages(p.u.ID()))
	p.u.SendCommand("language", "")
	p.press(p.next(), "l:ar")
	p.settle()
	var lang string
	w.DB.QueryRow(`SELECT language FROM returnees WHERE ref = $1`, ref).Scan(&lang)
	if lang != "ar" {
		t.Fatalf("language %q after /language", lang)
	}
	p.seen = len(w.Fake.Messages(p.u.ID()))
	p.u.SendCommand("mydata", "")
	data := p.next()
	if !strings.Contains(data.Text, ref) || !strings.Contains(data.Text, "العربية") {
		t.Fatalf("/mydata in Arabic should show the reference and language: %q", data.Text)
	}
	p.settle() // its CSV document follows
	p.seen = len(w.Fake.Messages(p.u.ID()))
	p.u.SendCommand("pause", "")
	p.press(p.next(), "p:2")
	p.settle()
	var status string
	w.DB.QueryRow(`SELECT status FROM returnees WHERE ref = $1`, ref).Scan(&status)
	if status != "paused" {
		t.Fatalf("status %q after /pause", status)
	}
	p.seen = len(w.Fake.Messages(p.u.ID()))
	p.u.SendCommand("stop", "")
	p.press(p.next(), "s:y")
	p.settle()
	w.DB.QueryRow(`SELECT status FROM returnees WHERE ref = $1`, ref).Scan(&status)
	if status != "stopped" {
		t.Fatalf("status %q after /stop", status)
	}
	if a, _ := storage.ListAlerts(t.Context(), w.DB, storage.AlertFilter{Category: "opt_out"}); len(a) != 1 {
		t.Fatal("the case worker was not told of the opt-out")
	}
	if len(w.Fake.Commands("ar")) == 0 || len(w.Fake.Commands("fr")) == 0 {
		t.Fatal("commands not registered per language")
	}
}

func TestDeleteLeavesNoPersonalRow(t *testing.T) {
	w, r, p, ref := enrolled(t, 8600)
	w.startCheckin(r, ref, "project_checkin")
	p.answer(":operating")
	p.next()
	p.u.SendText("2000")
	p.settle()
	p.seen = len(w.Fake.Messages(p.u.ID()))
	p.u.SendCommand("delete", "")
	p.press(p.next(), "d:y")
	p.settle()
	checks := map[string]string{
		"returnee identifiers": `SELECT count(*) FROM returnees WHERE ref = '` + ref + `' AND (telegram_id IS NOT NULL OR chat_id IS NOT NULL OR birth_date IS NOT NULL OR sex IS NOT NULL OR region <> '')`,
		"linked answers":       `SELECT count(*) FROM answers WHERE returnee_id IS NOT NULL OR conversation_id IS NOT NULL`,
		"conversations":        `SELECT count(*) FROM conversations`,
		"invitations":          `SELECT count(*) FROM invitations`,
		"messages to the chat": `SELECT count(*) FROM outbox WHERE chat_id = 8600`,
		"linked scores":        `SELECT count(*) FROM scores WHERE returnee_id IS NOT NULL`,
	}
	for what, q := range checks {
		if n := w.count(q); n != 0 {
			t.Errorf("%s: %d rows left after /delete", what, n)
		}
	}
	if n := w.count(`SELECT count(*) FROM answers WHERE question_id = 'status'`); n != 1 {
		t.Errorf("the anonymous answer for aggregates is gone (%d)", n)
	}
	// The person is now a stranger to the bot.
	p.seen = len(w.Fake.Messages(p.u.ID()))
	p.u.SendText("hello")
	p.expect("invitation")
}
