package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"suivi/app"
	"suivi/storage"
)

// The supervisor may act on their case worker's alert and hand it to
// another case worker of the team, who gets it at once.
func TestAlertReassignedBySupervisor(t *testing.T) {
	w, r, tm, _ := staffWorld(t, nil)
	p := w.returnee("MA-AL-2", 8120, "cw.salma")
	p.safetyAnswer(r, "MA-AL-2")
	id := w.alertID("MA-AL-2", "safety")
	card := tm.cw.card(id, "safety")
	// The supervisor presses on the case worker's card (a forwarded
	// message): allowed.
	tm.sup.u.Press(card.ID, fmt.Sprintf("a%d:reassign", id))
	menu := tm.sup.card(id, "confier")
	if !hasButton(menu, fmt.Sprintf(":reassign:%d", w.staffID("cw.youssef"))) || hasButton(menu, fmt.Sprintf(":reassign:%d", w.staffID("cw.other"))) {
		t.Fatalf("reassign menu %v: want the team's other case worker only", menu.Buttons())
	}
	tm.sup.press(menu, fmt.Sprintf(":reassign:%d", w.staffID("cw.youssef")))
	got := tm.cw2.card(id, "automutilation") // the new owner reads the details
	if !hasButton(got, ":ack") {
		t.Fatalf("the new owner's card has no buttons: %v", got.Buttons())
	}
	if n := w.count(`SELECT count(*) FROM alerts WHERE id = $1 AND assigned_to = $2`, id, w.staffID("cw.youssef")); n != 1 {
		t.Fatal("assigned_to did not change")
	}
	if n := w.count(`SELECT count(*) FROM alert_events WHERE alert_id = $1 AND kind = 'reassigned' AND staff_id = $2`, id, w.staffID("sup.karim")); n != 1 {
		t.Fatal("no reassigned event by the supervisor")
	}
}

// No case worker on Telegram: the supervisor gets the alert; no case
// worker nor supervisor: the on-call list, without the answers of a safety
// alert.
func TestAlertFallbacks(t *testing.T) {
	w, r, tm, _ := staffWorld(t, nil)
	if _, err := storage.UpsertStaff(context.Background(), w.DB, storage.StaffInput{Handle: "cw.offline", Name: "cw.offline",
		Role: "caseworker", SupervisorHandle: "sup.karim"}); err != nil {
		t.Fatal(err)
	}
	p := w.returnee("MA-AL-3", 8130, "cw.offline")
	p.safetyAnswer(r, "MA-AL-3")
	id := w.alertID("MA-AL-3", "safety")
	if got := tm.sup.card(id, "sécurité"); !strings.Contains(got.Text, "automutilation") {
		t.Fatalf("the supervisor's card %q lacks the reason", got.Text)
	}

	q := w.returnee("MA-AL-4", 8140, "")
	q.safetyAnswer(r, "MA-AL-4")
	id = w.alertID("MA-AL-4", "safety")
	got := tm.oncall.card(id, "safety")
	if strings.Contains(got.Text, "Self-harm") || strings.Contains(got.Text, "dark thoughts") || !strings.Contains(got.Text, "MA-AL-4") {
		t.Fatalf("on-call card %q: want the reference without the details", got.Text)
	}
}

// Unacknowledged past the deadline: a reminder to the owner, escalation to
// the supervisor and, urgent, to the on-call list, once per period;
// acknowledged: a reminder after the same period again.
func TestAlertEscalationOnTheClock(t *testing.T) {
	w, r, tm, c := staffWorld(t, nil)
	p := w.returnee("MA-AL-5", 8150, "cw.salma")
	p.safetyAnswer(r, "MA-AL-5")
	id := w.alertID("MA-AL-5", "safety")
	card := tm.cw.card(id, "safety")
	escalate := func() {
		t.Helper()
		if _, err := r.App.Delivery.Escalate(context.Background(), w.DB, c.Now()); err != nil {
			t.Fatal(err)
		}
		r.App.Sender.Wake()
	}
	events := func(kind string) int {
		return w.count(`SELECT count(*) FROM alert_events WHERE alert_id = $1 AND kind = $2`, id, kind)
	}
	escalate()
	if events("reminded")+events("escalated") != 0 {
		t.Fatal("reminded before the deadline")
	}
	c.add(61 * time.Minute)
	escalate()
	escalate() // a second pass (or replica) repeats nothing
	tm.cw.card(id, "Reminder")
	tm.sup.card(id, "transmise")
	tm.oncall.card(id, "passed on")
	if events("reminded") != 1 || events("escalated") != 2 {
		t.Fatalf("%d reminded, %d escalated events; want 1 and 2", events("reminded"), events("escalated"))
	}
	tm.cw.u.Press(card.ID, fmt.Sprintf("a%d:ack", id))
	w.eventually("the acknowledgement", func() bool { return events("acknowledged") == 1 })
	c.add(30 * time.Minute)
	escalate()
	if events("reminded") != 1 {
		t.Fatal("reminded before a period after the acknowledgement")
	}
	c.add(31 * time.Minute)
	escalate()
	if events("reminded") != 2 || events("escalated") != 2 {
		t.Fatalf("after acknowledgement: %d reminded, %d escalated; want 2 and 2", events("reminded"), events("escalated"))
	}
}

// A returnee who blocked the bot and comes back: their unreachable alert is
// resolved by Suivi.
func TestUnreachableResolvedWhenBack(t *testing.T) {
	w, _, _, _ := staffWorld(t, nil)
	p := w.returnee("MA-AL-6", 8160, "cw.salma")
	p.u.Block()
	w.eventually("the unreachable alert", func() bool {
		return w.count(`SELECT count(*) FROM alerts WHERE category = 'unreachable' AND status = 'open'`) == 1
	})
	p.u.Unblock()
	w.eventually("the alert to be resolved", func() bool {
		return w.count(`SELECT count(*) FROM alerts a JOIN alert_events e ON e.alert_id = a.id
			WHERE a.category = 'unreachable' AND a.status = 'resolved' AND e.kind = 'resolved' AND e.staff_id IS NULL
			  AND e.data->>'auto' = 'reachable again'`) == 1
	})
	if n := w.count(`SELECT count(*) FROM returnees WHERE ref = 'MA-AL-6' AND status = 'active'`); n != 1 {
		t.Fatal("the returnee is not active again")
	}
}

// /delete with an urgent alert open: the erasure proceeds and the case
// worker is told at once, with the alert's number and the reference only.
func TestDeleteWithUrgentAlertTellsCaseworker(t *testing.T) {
	w, r, tm, _ := staffWorld(t, nil)
	p := w.returnee("MA-AL-7", 8170, "cw.salma")
	p.safetyAnswer(r, "MA-AL-7")
	id := w.alertID("MA-AL-7", "safety")
	tm.cw.card(id, "safety")
	p.u.SendCommand("delete", "")
	p.answer("d:y")
	got := tm.cw.card(id, "asked for their data to be erased")
	if !strings.Contains(got.Text, "MA-AL-7") || strings.Contains(got.Text, "dark thoughts") {
		t.Fatalf("erasure notice %q", got.Text)
	}
	w.eventually("the erasure", func() bool {
		return w.count(`SELECT count(*) FROM returnees WHERE status = 'deleted'`) == 1
	})
}

// An unknown on-call handle stops the start, naming the variable.
func TestOnCallUnknownHandle(t *testing.T) {
	w := newWorld(t)
	w.Cfg.OnCall = []string{"nobody.here"}
	_, err := app.New(context.Background(), w.Cfg, app.Options{Logger: testLogger()})
	if err == nil || !strings.Contains(err.Error(), "SUIVI_ONCALL") || !strings.Contains(err.Error(), "nobody.here") {
		t.Fatalf("start with an unknown on-call handle: %v", err)
	}
}
