package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"suivi/app"
	"suivi/bot/telegramtest"
	"suivi/storage"
)

// staffTeam is a world with staff bound in Telegram and two enrolled
// returnees: MA-S-1 followed by cw.amina (whose supervisor is sup.fatima),
// MA-S-2 by cw.omar (no supervisor); mgr.leila is a manager.
type staffTeam struct {
	w                    *world
	r                    *running
	amina, omar, fatima  *person
	leila                *person
	returnee1, returnee2 *person
}

func newStaffTeam(t *testing.T) *staffTeam {
	w, r := conversational(t)
	st := &staffTeam{w: w, r: r}
	st.fatima = w.bindStaff(7400000100, "sup.fatima", storage.RoleSupervisor, "fr", "")
	st.amina = w.bindStaff(7400000102, "cw.amina", storage.RoleCaseworker, "en", "sup.fatima")
	st.omar = w.bindStaff(7400000101, "cw.omar", storage.RoleCaseworker, "ar", "")
	st.leila = w.bindStaff(7400000112, "mgr.leila", storage.RoleManager, "en", "")
	st.returnee1 = w.person(7400000202, "en")
	st.returnee1.onboard(w.enrolWith("MA-S-1", "cw.amina"))
	st.returnee2 = w.person(7400000201, "ar")
	st.returnee2.onboard(w.enrolWith("MA-S-2", "cw.omar"))
	return st
}

// bindStaff registers a staff member and binds their Telegram account
// through a staff invitation, as in production.
func (w *world) bindStaff(id int64, handle, role, lang, supervisor string) *person {
	w.t.Helper()
	ctx := context.Background()
	s, err := storage.UpsertStaff(ctx, w.DB, storage.StaffInput{Handle: handle, Name: "Staff " + handle, Role: role,
		Language: lang, SupervisorHandle: supervisor})
	if err != nil {
		w.t.Fatal(err)
	}
	inv, err := storage.CreateInvitation(ctx, w.DB, storage.InvitationTarget{StaffID: s.ID}, time.Hour, time.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	p := w.person(id, lang)
	p.u.SendCommand("start", inv.Token)
	p.expect(handle)
	return p
}

// enrolWith adds a returnee followed by the case worker handle and returns
// an invitation token.
func (w *world) enrolWith(ref, caseworker string) string {
	w.t.Helper()
	_, _, err := storage.UpsertReturnees(context.Background(), w.DB, []storage.ReturneeInput{{Ref: ref, Sex: "M",
		BirthDate: time.Date(1990, 5, 1, 0, 0, 0, 0, time.UTC), ReturnDate: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		HostCountry: "ES", Region: "Souss", Programme: "AVRR", CaseworkerHandle: caseworker}})
	if err != nil {
		w.t.Fatal(err)
	}
	return w.invite(ref)
}

// await waits for a message containing want among those not seen yet (other
// messages, such as alert deliveries, may come in between) and marks every
// message up to it as seen.
func (p *person) await(want string) telegramtest.Message {
	p.w.t.Helper()
	var found telegramtest.Message
	ok := false
	p.w.eventually("a message containing "+want, func() bool {
		msgs := p.w.Fake.Messages(p.u.ID())
		for i := p.seen; i < len(msgs); i++ {
			if strings.Contains(msgs[i].Text, want) {
				found, ok, p.seen = msgs[i], true, i+1
				return true
			}
		}
		return false
	})
	if !ok {
		p.w.t.Fatalf("no message containing %q", want)
	}
	return found
}

// command sends a command and waits for the answer containing want.
func (p *person) command(text, want string) telegramtest.Message {
	p.w.t.Helper()
	p.u.SendText(text)
	return p.await(want)
}

// saidSince reports whether any message from index from on contains s.
func (p *person) saidSince(from int, s string) bool {
	for _, m := range p.w.Fake.Messages(p.u.ID())[from:] {
		if strings.Contains(m.Text, s) {
			return true
		}
	}
	return false
}

func TestStaffCommandsOnOwnCase(t *testing.T) {
	st := newStaffTeam(t)
	w, amina, ret := st.w, st.amina, st.returnee1

	// A message outside a check-in reaches the case worker as a message alert.
	ret.u.SendText("I lost my job")
	ret.await("Your case worker will read it")
	w.eventually("the message alert", func() bool {
		return w.count(`SELECT count(*) FROM alerts a JOIN returnees r ON r.id = a.returnee_id
			WHERE r.ref = 'MA-S-1' AND a.category = 'message' AND a.severity = 'low' AND a.text_key = 'alert_message'
			  AND a.params->>'text' = 'I lost my job' AND a.assigned_to = (SELECT id FROM staff WHERE handle = 'cw.amina')`) == 1
	})
	// A voice note while that alert is open is evidence of it, with its file id.
	ret.u.SendVoice()
	ret.await("Your case worker will read it")
	w.eventually("the voice note as evidence", func() bool {
		return w.count(`SELECT count(*) FROM alert_events e JOIN alerts a ON a.id = e.alert_id
			WHERE a.category = 'message' AND e.kind = 'evidence' AND e.data->'params'->>'kind' = 'voice'
			  AND e.data->'params'->>'file_id' <> ''`) == 1
	})

	if m := amina.command("/alerts", "Open alerts (1)"); !strings.Contains(m.Text, "MA-S-1 · message · low · ") {
		t.Fatalf("/alerts: %q", m.Text)
	}

	// Arguments are checked.
	amina.command("/case", "The case reference is missing")
	amina.command("/note MA-S-1", "The text after the reference is missing")
	amina.command("/checkin MA-S-1", "Check-ins: project_checkin")
	m := amina.command("/checkin MA-S-1 nosuch", "There is no check-in called “nosuch”")
	if !strings.Contains(m.Text, "wellbeing") || strings.Contains(m.Text, "onboarding") {
		t.Fatalf("flows listed: %q", m.Text)
	}

	// /note then /case shows it, with the messages relayed.
	amina.command("/note MA-S-1 Called him, visit on Monday", "Note added to case MA-S-1")
	c := amina.command("/case MA-S-1", "Case MA-S-1")
	for _, want := range []string{"follow-up on", "Called him, visit on Monday", "cw.amina", "I lost my job",
		"the voice message", "Message from the person: “I lost my job”", "Last contact: "} {
		if !strings.Contains(c.Text, want) {
			t.Errorf("/case lacks %q:\n%s", want, c.Text)
		}
	}

	// /checkin opens a check-in now.
	before := len(w.Fake.Messages(ret.u.ID()))
	amina.command("/checkin MA-S-1 wellbeing", "Check-in wellbeing opened for MA-S-1")
	w.eventually("the check-in's first question", func() bool { return len(w.Fake.Messages(ret.u.ID())) > before })
	if n := w.count(`SELECT count(*) FROM conversations c JOIN returnees r ON r.id = c.returnee_id
		WHERE r.ref = 'MA-S-1' AND c.flow_id = 'wellbeing' AND c.status = 'active'`); n != 1 {
		t.Fatalf("%d wellbeing conversations open, want 1", n)
	}
	amina.command("/checkin MA-S-1 wellbeing", "MA-S-1 already has a check-in in progress")
	state := func() string {
		var s string
		if err := w.DB.QueryRow(`SELECT state::text || status FROM conversations WHERE flow_id = 'wellbeing'`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	stateBefore := state()

	// /reply reaches the returnee in their language; the check-in goes on.
	amina.command("/reply MA-S-1 Hello, I will call you tomorrow", "Message sent to MA-S-1")
	got := ret.await("Hello, I will call you tomorrow")
	if !strings.HasPrefix(got.Text, "A message from your case worker:") {
		t.Fatalf("reply reached the returnee as %q", got.Text)
	}
	if state() != stateBefore {
		t.Fatal("the reply disturbed the open check-in")
	}

	// Each view, note and action is in the audit log, without the texts.
	for _, action := range []string{"alerts.view", "case.view", "case.note", "checkin.start", "case.reply"} {
		if n := w.count(`SELECT count(*) FROM audit_log WHERE actor = 'staff:cw.amina' AND action = $1
			AND (action = 'alerts.view' OR subject = 'MA-S-1')`, action); n < 1 {
			t.Errorf("no audit entry %s", action)
		}
	}
	if n := w.count(`SELECT count(*) FROM audit_log WHERE detail::text LIKE '%Monday%' OR detail::text LIKE '%tomorrow%'`); n != 0 {
		t.Error("the audit log holds a note's or a message's text")
	}
	if n := w.count(`SELECT count(*) FROM case_notes n JOIN returnees r ON r.id = n.returnee_id
		WHERE r.ref = 'MA-S-1' AND n.text = 'Called him, visit on Monday'`); n != 1 {
		t.Errorf("%d case notes, want 1", n)
	}
}

func TestStaffCommandsRefuseOtherCases(t *testing.T) {
	st := newStaffTeam(t)
	w, amina := st.w, st.amina
	st.returnee2.u.SendText("مرحبا")
	st.returnee2.await("سيقرؤها")

	// Another case worker's case and a reference that does not exist get the
	// same answer: nothing says whether the case exists.
	for _, cmd := range []string{"/case MA-S-2", "/case MA-NOPE", "/note MA-S-2 hidden note", "/reply MA-S-2 hidden reply",
		"/checkin MA-S-2 wellbeing"} {
		from := amina.seen
		m := amina.command(cmd, "This case is not in your caseload.")
		if strings.Contains(m.Text, "MA-S-2") || amina.saidSince(from, "مرحبا") {
			t.Fatalf("%s revealed the case: %q", cmd, m.Text)
		}
	}
	amina.command("/alerts", "No open alerts.")
	if n := w.count(`SELECT count(*) FROM case_notes`); n != 0 {
		t.Fatal("a refused note was stored")
	}
	if st.returnee2.saidSince(st.returnee2.seen, "hidden reply") {
		t.Fatal("a refused reply reached the returnee")
	}
	if n := w.count(`SELECT count(*) FROM conversations c JOIN returnees r ON r.id = c.returnee_id WHERE r.ref = 'MA-S-2' AND c.flow_id = 'wellbeing'`); n != 0 {
		t.Fatal("a refused check-in was opened")
	}
	if n := w.count(`SELECT count(*) FROM audit_log WHERE actor = 'staff:cw.amina' AND action = 'case.view'`); n != 0 {
		t.Fatal("a refused view was audited as a view")
	}
	if n := w.count(`SELECT count(*) FROM audit_log WHERE actor = 'staff:cw.amina' AND action = 'case.view.refused' AND subject = 'MA-S-2'`); n != 1 {
		t.Fatal("the refused view is not in the audit log")
	}

	// The case's own worker (in Arabic) sees it.
	st.omar.command("/case MA-S-2", "مرحبا")

	// The supervisor sees their team's cases and alerts, not others'.
	st.returnee1.u.SendText("need help with papers")
	st.returnee1.await("Your case worker will read it")
	st.fatima.command("/case MA-S-1", "need help with papers")
	st.fatima.command("/alerts", "MA-S-1")
	if st.fatima.saidSince(0, "MA-S-2") {
		t.Fatal("the supervisor saw another team's alert")
	}
	st.fatima.command("/case MA-S-2", "Ce dossier n'est pas dans vos dossiers.")

	// A manager sees totals, never a case.
	st.leila.command("/case MA-S-1", "Your role gives access to totals")
	m := st.leila.command("/alerts", "Open alerts, all cases (totals only):")
	if !strings.Contains(m.Text, "message · low: 2") || strings.Contains(m.Text, "MA-S") {
		t.Fatalf("manager's /alerts: %q", m.Text)
	}
}

func TestReturneesAndStrangersReachNoStaffCommand(t *testing.T) {
	st := newStaffTeam(t)
	w := st.w
	st.returnee2.u.SendText("secret words")
	st.returnee2.await("سيقرؤها")

	stranger := w.person(7400000302, "en")
	ret := st.returnee1
	from := ret.seen
	for _, cmd := range []string{"/case MA-S-2", "/alerts", "/note MA-S-2 x", "/reply MA-S-2 x", "/checkin MA-S-2 wellbeing"} {
		ret.u.SendText(cmd)
		stranger.u.SendText(cmd)
	}
	stranger.expect("I don't know you yet")
	ret.settle()
	stranger.settle()
	for _, p := range []*person{ret, stranger} {
		for _, m := range w.Fake.Messages(p.u.ID())[min(from, len(w.Fake.Messages(p.u.ID()))):] {
			for _, leak := range []string{"MA-S-2", "secret words", "Open alerts", "caseload", "Case "} {
				if strings.Contains(m.Text, leak) {
					t.Fatalf("%d was told %q", p.u.ID(), m.Text)
				}
			}
		}
	}
	if n := w.count(`SELECT count(*) FROM audit_log WHERE actor LIKE 'staff:%'`); n != 0 {
		t.Fatal("a returnee's or stranger's command ran as staff")
	}
	if n := w.count(`SELECT count(*) FROM alerts WHERE category = 'message' AND params->>'text' LIKE '/%'`); n != 0 {
		t.Fatal("a command was relayed as a message")
	}

	// A stopped returnee on safety hold who writes is still heard.
	if _, err := w.DB.Exec(`UPDATE returnees SET status = 'stopped', safety_hold = true WHERE ref = 'MA-S-1'`); err != nil {
		t.Fatal(err)
	}
	ret.seen = len(w.Fake.Messages(ret.u.ID()))
	ret.u.SendText("are you still there?")
	ret.await("Your case worker will read it")
	if n := w.count(`SELECT count(*) FROM alerts a JOIN returnees r ON r.id = a.returnee_id
		WHERE r.ref = 'MA-S-1' AND a.category = 'message' AND a.params->>'text' = 'are you still there?'`); n != 1 {
		t.Fatal("a stopped returnee's message was not relayed")
	}
}

func TestStaffCommandMenuPerChat(t *testing.T) {
	st := newStaffTeam(t)
	w := st.w
	// Bound: the menu is set for the staff member's chat, in their language.
	w.eventually("the staff menu at bind", func() bool {
		return hasCommand(w.Fake.CommandsFor(telegramtest.Scope{Type: "chat", ChatID: st.amina.u.ID()}, ""), "case", "See a case")
	})
	if !hasCommand(w.Fake.CommandsFor(telegramtest.Scope{Type: "chat", ChatID: st.fatima.u.ID()}, ""), "alerts", "Mes alertes") {
		t.Fatal("the supervisor's menu is not in French")
	}
	// At start, every bound staff member's chat gets it again.
	st.r.Stop()
	w.Fake.ResetCalls()
	w.start(w.Cfg, app.Options{})
	w.eventually("the staff menus at start", func() bool {
		n := 0
		for _, c := range w.Fake.Calls("setMyCommands") {
			if strings.Contains(c.Params["scope"], `"chat"`) {
				n++
			}
		}
		return n == 4
	})
	found := false
	for _, c := range w.Fake.Calls("setMyCommands") {
		found = found || (strings.Contains(c.Params["scope"], `"chat_id":7400000101`) && strings.Contains(c.Params["commands"], "checkin"))
	}
	if !found {
		t.Fatal("no setMyCommands with cw.omar's chat scope")
	}
}

func hasCommand(cmds []telegramtest.BotCommand, name, desc string) bool {
	for _, c := range cmds {
		if c.Command == name && strings.Contains(c.Description, desc) {
			return true
		}
	}
	return false
}
