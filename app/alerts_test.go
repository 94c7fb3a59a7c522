package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// A positive safety answer reaches the case worker's chat at once, with the
// answers and the four buttons; another case worker's press changes nothing;
// acknowledge, note and resolve work; resolving the safety alert needs a
// note, and only that lifts the hold: not the returnee's "I'm fine", not a
// restart.
func TestSafetyAlertDeliveredActedOnAndHoldLifted(t *testing.T) {
	w, r, tm, c := staffWorld(t, nil)
	p := w.returnee("MA-AL-1", 8110, "cw.salma")
	p.safetyAnswer(r, "MA-AL-1")
	id := w.alertID("MA-AL-1", "safety")
	card := tm.cw.card(id, "safety")
	for _, want := range []string{"MA-AL-1", "urgent", "safety", "Self-harm risk", "dark thoughts", "Received"} {
		if !strings.Contains(card.Text, want) {
			t.Fatalf("alert card %q lacks %q", card.Text, want)
		}
	}
	for _, b := range []string{":ack", ":note", ":resolve", ":reassign"} {
		if !hasButton(card, fmt.Sprintf("a%d%s", id, b)) {
			t.Fatalf("alert card lacks button %s: %v", b, card.Buttons())
		}
	}
	if n := w.count(`SELECT count(*) FROM alert_events e JOIN staff s ON s.id = e.staff_id
		WHERE e.alert_id = $1 AND e.kind = 'delivered' AND s.handle = 'cw.salma'`, id); n != 1 {
		t.Fatalf("%d delivered events for the case worker, want 1", n)
	}
	tm.cw.seen = len(w.Fake.Messages(tm.cw.u.ID()))
	if n := len(w.Fake.Messages(tm.sup.u.ID())) + len(w.Fake.Messages(tm.oncall.u.ID())); n != 0 {
		t.Fatalf("%d messages to the supervisor or on-call, want none while the case worker is reachable", n)
	}

	// Another team's case worker, and a forged action: nothing changes.
	q := tm.other.u.Press(card.ID, fmt.Sprintf("a%d:ack", id))
	if a := w.callbackAnswer(q); !strings.Contains(a.Text, "pas partie de vos dossiers") {
		t.Fatalf("foreign press answered %q", a.Text)
	}
	q = tm.cw.u.Press(card.ID, fmt.Sprintf("a%d:explode", id))
	w.callbackAnswer(q)
	if n := w.count(`SELECT count(*) FROM alerts WHERE id = $1 AND status = 'open'`, id); n != 1 {
		t.Fatal("a foreign or forged press changed the alert")
	}

	// Acknowledge: the card shows who, and loses the button.
	q = tm.cw.u.Press(card.ID, fmt.Sprintf("a%d:ack", id))
	w.callbackAnswer(q)
	w.eventually("the card to show the acknowledgement", func() bool {
		m := w.message(tm.cw.u.ID(), card.ID)
		return strings.Contains(m.Text, "Taken in hand by cw.salma") && !hasButton(m, ":ack")
	})
	if n := w.count(`SELECT count(*) FROM alerts WHERE id = $1 AND status = 'acknowledged' AND acknowledged_at IS NOT NULL`, id); n != 1 {
		t.Fatal("alert not acknowledged")
	}

	// Add note: the next text is the note.
	tm.cw.u.Press(card.ID, fmt.Sprintf("a%d:note", id))
	tm.cw.expect("Write your note")
	tm.cw.u.SendText("Called him, he is with his brother.")
	tm.cw.expect("Note saved")
	if n := w.count(`SELECT count(*) FROM alert_events WHERE alert_id = $1 AND kind = 'note' AND data->>'text' LIKE 'Called him%'`, id); n != 1 {
		t.Fatal("note not recorded")
	}

	// Resolve a safety alert: a note first.
	tm.cw.u.Press(card.ID, fmt.Sprintf("a%d:resolve", id))
	tm.cw.expect("first write a note")
	if n := w.count(`SELECT count(*) FROM alerts WHERE id = $1 AND status = 'resolved'`, id); n != 0 {
		t.Fatal("a safety alert was resolved without a note")
	}
	// The returnee says they are fine, the App restarts: still on hold,
	// and the question for the note survives.
	p.u.SendText("Ça va, je vais bien maintenant")
	p.settle()
	// What they wrote reaches the case worker as a message, not a resolution.
	tm.cw.expect("Ça va, je vais bien maintenant")
	r.Stop()
	c.add(5 * time.Minute)
	w.start(w.Cfg, appOptions(c))
	if n := w.count(`SELECT count(*) FROM returnees WHERE ref = 'MA-AL-1' AND safety_hold`); n != 1 {
		t.Fatal("the hold was lifted by the returnee's message or a restart")
	}
	tm.cw.u.SendText("Met him today with the psychologist; safe, follow-up weekly.")
	tm.cw.expect("is resolved")
	w.eventually("the hold to be lifted", func() bool {
		return w.count(`SELECT count(*) FROM returnees WHERE ref = 'MA-AL-1' AND NOT safety_hold`) == 1
	})
	if n := w.count(`SELECT count(*) FROM alert_events WHERE alert_id = $1 AND kind = 'resolved' AND staff_id IS NOT NULL`, id); n != 1 {
		t.Fatal("no resolution event by the case worker")
	}
	w.eventually("the card to show the resolution without buttons", func() bool {
		m := w.message(tm.cw.u.ID(), card.ID)
		return strings.Contains(m.Text, "Resolved by cw.salma") && len(m.Buttons()) == 0
	})

	// A stale press: nothing changes, the reason is said.
	q = tm.cw.u.Press(card.ID, fmt.Sprintf("a%d:ack", id))
	if a := w.callbackAnswer(q); !strings.Contains(a.Text, "already resolved") {
		t.Fatalf("stale press answered %q", a.Text)
	}
}
