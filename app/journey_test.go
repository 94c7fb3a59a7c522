package app_test

import (
	"strings"
	"testing"
	"time"

	"suivi/storage"
)

// Each language: enrolment, consent, a wellbeing check-in with low scores,
// and a positive safety answer.
func TestJourneyInEachLanguage(t *testing.T) {
	cases := []struct {
		lang, consentWord, contactsWord string
		user                            int64
	}{
		{"fr", "d'accord", "Gendarmerie royale 177", 8000},
		{"ar", "توافق", "الشرطة \u206819\u2069 · الدرك الملكي", 8001},
		{"en", "agree", "Royal Gendarmerie 177", 8002},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			w, r := conversational(t)
			ref := "MA-J-" + c.lang
			token := w.enrol(ref)
			p := w.person(c.user, c.lang)
			p.u.SendCommand("start", token)
			langQ := p.next()
			for _, word := range []string{"Choisissez", "اختر", "Choose"} {
				if !strings.Contains(langQ.Text, word) {
					t.Fatalf("language question %q should be in all three languages", langQ.Text)
				}
			}
			p.press(langQ, ":"+c.lang)
			consent := p.answer(":accepted")
			if !strings.Contains(consent.Text, c.consentWord) {
				t.Fatalf("consent %q is not in %s", consent.Text, c.lang)
			}
			// Nothing about the person was stored before consent.
			if n := w.count(`SELECT count(*) FROM returnees WHERE ref = $1 AND (telegram_id IS NOT NULL OR consent <> 'pending')`, ref); n != 0 {
				t.Fatal("the returnee was bound before consent")
			}
			p.answer(":morning")
			p.settle()
			var consentStatus, lang, window string
			w.DB.QueryRow(`SELECT consent, language, to_char(window_start, 'HH24:MI') || '-' || to_char(window_end, 'HH24:MI')
				FROM returnees WHERE ref = $1`, ref).Scan(&consentStatus, &lang, &window)
			if consentStatus != "accepted" || lang != c.lang || window != "09:00-12:00" {
				t.Fatalf("after onboarding: consent %s, language %s, window %s", consentStatus, lang, window)
			}
			if n := w.count(`SELECT count(*) FROM conversations WHERE flow_id = 'onboarding' AND status = 'completed'`); n != 1 {
				t.Fatalf("%d completed onboarding conversations, want 1", n)
			}
			p.seen = len(w.Fake.Messages(p.u.ID()))

			w.startCheckin(r, ref, "wellbeing")
			for range 5 {
				p.answer(":0") // at no time
			}
			p.answer(":3") // PHQ-2: nearly every day
			p.answer(":3")
			p.answer(":2") // the safety question: more than half the days
			p.settle()
			msgs := w.Fake.Messages(p.u.ID())
			last := msgs[len(msgs)-1]
			if !strings.Contains(last.Text, c.contactsWord) {
				t.Fatalf("the reply to a positive safety answer %q lacks the emergency contacts", last.Text)
			}
			alerts, _ := storage.ListAlerts(t.Context(), w.DB, storage.AlertFilter{Category: "safety"})
			if len(alerts) != 1 || alerts[0].Severity != "urgent" {
				t.Fatalf("safety alerts %+v, want one urgent", alerts)
			}
			if n := w.count(`SELECT count(*) FROM returnees WHERE ref = $1 AND safety_hold`, ref); n != 1 {
				t.Fatal("routine check-ins are not on hold after a safety answer")
			}
			if n := w.count(`SELECT count(*) FROM answers WHERE question_id = 'safety'`); n != 1 {
				t.Fatalf("%d safety answers stored, want 1", n)
			}
			if n := w.count(`SELECT count(*) FROM scores WHERE name = 'who5_percent' AND value = 0`); n != 1 {
				t.Fatalf("WHO-5 percent not stored as 0")
			}
			if unanswered := w.Fake.Unanswered(); len(unanswered) != 0 {
				t.Fatalf("callback queries left unanswered: %v", unanswered)
			}
		})
	}
}

func TestInvalidInvitationGetsPoliteAnswerAndNothingStored(t *testing.T) {
	w, _ := conversational(t)
	token := w.enrol("MA-J-INV")
	p := w.person(8100, "fr")
	p.u.SendCommand("start", "not-a-real-token")
	p.expect("lien")
	p.u.SendCommand("start", "bad token with spaces!")
	p.expect("lien")
	// A token used by someone else is refused.
	other := w.person(8101, "fr")
	other.u.SendCommand("start", token)
	other.next()
	p.u.SendCommand("start", token)
	p.expect("lien")
	p.settle()
	if n := w.count(`SELECT count(*) FROM invitations WHERE used_by = 8100`); n != 0 {
		t.Fatal("a refused token recorded its user")
	}
}

func TestDeclinedConsentIsRespected(t *testing.T) {
	w, _ := conversational(t)
	token := w.enrol("MA-J-DEC")
	p := w.person(8200, "en")
	p.u.SendCommand("start", token)
	p.answer(":en")
	p.answer(":declined")
	p.next() // goodbye
	p.settle()
	var consent string
	w.DB.QueryRow(`SELECT consent FROM returnees WHERE ref = 'MA-J-DEC'`).Scan(&consent)
	if consent != "declined" {
		t.Fatalf("consent %q, want declined recorded for the case worker", consent)
	}
	alerts, _ := storage.ListAlerts(t.Context(), w.DB, storage.AlertFilter{Category: "consent_declined"})
	if len(alerts) != 1 {
		t.Fatalf("%d consent_declined alerts, want 1", len(alerts))
	}
	for _, q := range []string{`SELECT count(*) FROM answers`, `SELECT count(*) FROM conversations`,
		`SELECT count(*) FROM returnees WHERE telegram_id IS NOT NULL`, `SELECT count(*) FROM outbox`} {
		if n := w.count(q); n != 0 {
			t.Fatalf("%s = %d after a refusal", q, n)
		}
	}
	before := len(w.Fake.Messages(p.u.ID()))
	p.u.SendText("hello?")
	p.settle()
	if after := len(w.Fake.Messages(p.u.ID())); after != before {
		t.Fatal("the bot wrote again after a refusal")
	}
}

func TestStaffInvitationBindsTheirTelegram(t *testing.T) {
	w, _ := conversational(t)
	s, err := storage.UpsertStaff(t.Context(), w.DB, storage.StaffInput{Handle: "cw.amina", Name: "Amina", Role: "caseworker"})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := storage.CreateInvitation(t.Context(), w.DB, storage.InvitationTarget{StaffID: s.ID}, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p := w.person(8700, "fr")
	p.u.SendCommand("start", inv.Token)
	p.expect("cw.amina")
	p.settle()
	if n := w.count(`SELECT count(*) FROM staff WHERE handle = 'cw.amina' AND telegram_id = 8700`); n != 1 {
		t.Fatal("the staff member's Telegram account was not bound")
	}
}
