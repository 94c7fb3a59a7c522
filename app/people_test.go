package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"suivi/storage"
)

// Journeys of accounts that open a link they should not, and of returnees
// invited again: a new phone, or a change of mind after a refusal.

// staffInvite adds a staff member (when new) and returns a fresh invitation token.
func (w *world) staffInvite(handle, lang string) string {
	w.t.Helper()
	ctx := context.Background()
	s, err := storage.UpsertStaff(ctx, w.DB, storage.StaffInput{Handle: handle, Name: "Staff " + handle, Role: "caseworker", Language: lang})
	if err != nil {
		w.t.Fatal(err)
	}
	inv, err := storage.CreateInvitation(ctx, w.DB, storage.InvitationTarget{StaffID: s.ID}, time.Hour, time.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	return inv.Token
}

// invite makes a new invitation for an enrolled returnee (a first one or
// another, for a new phone) and returns its token.
func (w *world) invite(ref string) string {
	w.t.Helper()
	ctx := context.Background()
	r, err := storage.ReturneeByRef(ctx, w.DB, ref)
	if err != nil {
		w.t.Fatal(err)
	}
	inv, err := storage.CreateInvitation(ctx, w.DB, storage.InvitationTarget{ReturneeID: r.ID}, time.Hour, time.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	return inv.Token
}

// strangerStillAnswered proves intake goes on: a new account gets the reply
// for people Suivi does not know.
func (w *world) strangerStillAnswered(id int64) {
	w.t.Helper()
	s := w.person(id, "en")
	s.u.SendText("hello")
	s.expect("I don't know you yet")
}

func TestLinkedAccountsOpeningOtherLinksAreAnsweredAndNothingChanges(t *testing.T) {
	w, _ := conversational(t)
	returneeToken := w.enrol("MA-L-1")

	// A staff member (writing in English) links their account.
	staff := w.person(7300000100, "en")
	staff.u.SendCommand("start", w.staffInvite("cw.amina", "en"))
	staff.expect("cw.amina")

	// The same account opens another staff member's invitation.
	other := w.staffInvite("cw.karim", "fr")
	staff.u.SendCommand("start", other)
	staff.expect("already linked")
	// ... and a returnee's invitation.
	staff.u.SendCommand("start", returneeToken)
	staff.expect("already linked")
	staff.settle()
	if n := w.count(`SELECT count(*) FROM staff WHERE handle = 'cw.karim' AND telegram_id IS NOT NULL`); n != 0 {
		t.Fatal("the second staff member was bound to an account already linked")
	}
	if n := w.count(`SELECT count(*) FROM staff WHERE handle = 'cw.amina' AND telegram_id = 7300000100`); n != 1 {
		t.Fatal("the first staff member lost their link")
	}
	if n := w.count(`SELECT count(*) FROM invitations WHERE token = ANY($1) AND used_at IS NULL`, "{"+other+","+returneeToken+"}"); n != 2 {
		t.Fatalf("%d of the two links refused are still unused, want 2: nothing may change", n)
	}
	if n := w.count(`SELECT count(*) FROM returnees WHERE ref = 'MA-L-1' AND (telegram_id IS NOT NULL OR consent <> 'pending')`); n != 0 {
		t.Fatal("a staff account was enrolled as a returnee")
	}
	// Their own link again is harmless.
	staff.u.SendCommand("start", other)
	staff.expect("already linked")

	// A returnee (in Arabic) opens a staff invitation.
	ret := w.person(7300000101, "ar")
	ret.onboard(returneeToken)
	ret.u.SendCommand("start", other)
	ret.expect("مرتبط من قبل")
	ret.settle()
	if n := w.count(`SELECT count(*) FROM staff WHERE handle = 'cw.karim' AND telegram_id IS NOT NULL`); n != 0 {
		t.Fatal("a returnee's account was bound to a staff member")
	}
	// Another returnee's link, from that returnee's account.
	second := w.enrol("MA-L-2")
	ret.u.SendCommand("start", second)
	ret.expect("مرتبط من قبل")
	// Their own link is harmless: a /start.
	ret.u.SendCommand("start", returneeToken)
	ret.expect("\u2068/help\u2069")

	w.strangerStillAnswered(7300000109)
	if unanswered := w.Fake.Unanswered(); len(unanswered) != 0 {
		t.Fatalf("callback queries left unanswered: %v", unanswered)
	}
}

func TestReinvitedReturneeMovesToANewAccount(t *testing.T) {
	w, r := conversational(t)
	const ref = "MA-M-1"
	oldToken := w.enrol(ref)
	old := w.person(7300000200, "fr")
	old.onboard(oldToken)

	// A check-in is open, two questions answered, on the old phone.
	w.startCheckin(r, ref, "wellbeing")
	first := old.answer(":0") // low wellbeing: all eight questions come
	old.answer(":0")
	old.next() // the third question, unanswered
	old.settle()
	// Something queued for the old chat that has not gone out yet.
	if _, err := w.DB.Exec(`INSERT INTO outbox (chat_id, method, params, next_attempt_at)
		VALUES (7300000200, 'sendMessage', '{"chat_id":"7300000200","text":"queued"}', now() + interval '1 hour')`); err != nil {
		t.Fatal(err)
	}

	// `suivi returnees invite` again; the link is opened on a new phone whose
	// Telegram is in English: the question is in the returnee's language.
	newToken := w.invite(ref)
	phone := w.person(7300000203, "en")
	phone.u.SendCommand("start", newToken)
	ask := phone.expect("déplacer votre suivi sur ce compte")
	if n := w.count(`SELECT count(*) FROM returnees WHERE ref = $1 AND telegram_id = 7300000200`, ref); n != 1 {
		t.Fatal("the follow-up moved before the person confirmed")
	}
	phone.u.SendText("?") // anything else asks again
	phone.expect("déplacer votre suivi")
	phone.press(ask, ":move:y")
	// The check-in goes on in the new chat, at the question it stopped at.
	q := phone.next()
	if len(q.Buttons()) == 0 || !strings.HasPrefix(q.Buttons()[0][0].Data, strings.Split(first.Buttons()[0][0].Data, ":")[0]+":") {
		t.Fatalf("after the move the new chat got %q, want the open check-in's question", q.Text)
	}
	phone.settle()
	if m, _ := w.Fake.Message(phone.u.ID(), ask.ID); !strings.Contains(m.Text, "C'est fait") {
		t.Fatalf("the confirmation reads %q after the move", m.Text)
	}
	if n := w.count(`SELECT count(*) FROM returnees WHERE ref = $1 AND telegram_id = 7300000203 AND chat_id = 7300000203 AND consent = 'accepted'`, ref); n != 1 {
		t.Fatal("the returnee is not bound to the new account")
	}
	if n := w.count(`SELECT count(*) FROM outbox WHERE chat_id = 7300000200 AND status IN ('pending', 'sending')`); n != 0 {
		t.Fatal("messages queued for the old account are still to be sent")
	}
	phone.press(q, ":0")
	for range 5 {
		phone.answer(":0")
	}
	phone.settle()
	if n := w.count(`SELECT count(*) FROM answers a JOIN conversations c ON c.id = a.conversation_id
		WHERE c.flow_id = 'wellbeing' AND c.status = 'completed'`); n != 8 {
		t.Fatalf("%d answers in the completed check-in, want 8 (2 from the old phone, 6 from the new)", n)
	}

	// The old account is a stranger now: no data, no answers.
	before := w.count(`SELECT count(*) FROM answers`)
	old.u.SendText("bonjour")
	old.expect("Je ne vous connais pas")
	// Within ten minutes a stranger gets no second reply, but a press is
	// still answered, and nothing about the person comes back.
	old.press(first, ":0")
	old.u.SendCommand("mydata", "")
	w.eventually("the old account's press answered", func() bool { return len(w.Fake.Unanswered()) == 0 })
	// Its old link does not take the follow-up back (the next message the
	// old account gets is this one: no data in between).
	old.u.SendCommand("start", oldToken)
	old.expect("lien d'invitation n'est pas valable")
	old.settle()
	if after := w.count(`SELECT count(*) FROM answers`); after != before {
		t.Fatal("the old account's press was recorded")
	}
	if n := w.count(`SELECT count(*) FROM returnees WHERE ref = $1 AND telegram_id = 7300000203`, ref); n != 1 {
		t.Fatal("the old account took the follow-up back")
	}
	for _, m := range w.Fake.Messages(old.u.ID()) {
		if strings.Contains(m.Text, "queued") {
			t.Fatal("a message queued before the move reached the old account")
		}
	}

	// The new link opened again on the account now bound: harmless.
	phone.seen = len(w.Fake.Messages(phone.u.ID()))
	phone.u.SendCommand("start", newToken)
	phone.expect("Bon retour")
	phone.settle()
	if n := w.count(`SELECT count(*) FROM returnees WHERE ref = $1 AND telegram_id = 7300000203 AND status = 'active'`, ref); n != 1 {
		t.Fatal("opening the link again changed the binding")
	}
	if n := w.count(`SELECT count(*) FROM audit_log WHERE action = 'returnee.move' AND subject = $1`, ref); n != 1 {
		t.Fatalf("%d move audit rows, want 1", n)
	}
	if unanswered := w.Fake.Unanswered(); len(unanswered) != 0 {
		t.Fatalf("callback queries left unanswered: %v", unanswered)
	}
}

func TestReinvitedReturneeWhoSaysNoStaysWhereTheyAre(t *testing.T) {
	w, r := conversational(t)
	const ref = "MA-M-2"
	old := w.person(7300000302, "en")
	old.onboard(w.enrol(ref))
	phone := w.person(7300000303, "fr")
	phone.u.SendCommand("start", w.invite(ref))
	ask := phone.expect("move your follow-up")
	phone.press(ask, ":move:n")
	phone.settle()
	if m, _ := w.Fake.Message(phone.u.ID(), ask.ID); !strings.Contains(m.Text, "Nothing changed") {
		t.Fatalf("the answer to no reads %q", m.Text)
	}
	if n := w.count(`SELECT count(*) FROM returnees WHERE ref = $1 AND telegram_id = 7300000302`, ref); n != 1 {
		t.Fatal("saying no moved the follow-up")
	}
	phone.u.SendText("hello")
	phone.expect("Je ne vous connais pas")
	// The old account goes on as before.
	w.startCheckin(r, ref, "wellbeing")
	old.answer(":3")
	old.next()
}

func TestDeclinedReturneeOpeningTheirOldLinkAgainIsOnboarded(t *testing.T) {
	w, _ := conversational(t)
	const ref = "MA-M-3"
	token := w.enrol(ref)
	p := w.person(7300000400, "fr")
	p.u.SendCommand("start", token)
	p.answer(":fr")
	p.answer(":declined")
	p.next() // goodbye
	p.settle()
	// They change their mind and open the same link again.
	p.u.SendCommand("start", token)
	p.answer(":fr")
	p.answer(":accepted")
	p.answer(":morning")
	p.settle()
	if n := w.count(`SELECT count(*) FROM returnees WHERE ref = $1 AND consent = 'accepted' AND telegram_id = 7300000400`, ref); n != 1 {
		t.Fatal("the returnee who changed their mind is not enrolled")
	}
	p.seen = len(w.Fake.Messages(p.u.ID()))
	p.u.SendCommand("mydata", "")
	p.expect(ref)
}
