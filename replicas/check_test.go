package replicas

import (
	"slices"
	"strings"
	"time"
)

// outcome is what a run's checks found.
type outcome struct {
	messages   int // sendMessage rows delivered
	duplicates int // messages Telegram got twice
	peakRate   int // most sends the fake accepted in any one second
	count429   int
}

// verify checks what every run must leave: each answer stored once and in
// order, every check-in where it should be, every message delivered once in
// its chat's order, except the duplicates, each of which must come from a
// replica in killed that was making the call when it died. It checks the
// global rate from the fake's own record of accepted sends.
func (w *wave) verify(killed map[int]time.Time) outcome {
	c, t := w.c, w.c.t
	t.Helper()
	var o outcome

	// Answers: three per answering returnee, once each, in question order.
	rows, err := c.db.Query(`SELECT conversation_id, array_to_string(array_agg(question_id ORDER BY id), ',')
		FROM answers WHERE flow_id = $1 GROUP BY conversation_id`, waveFlow)
	if err != nil {
		t.Fatal(err)
	}
	convs := 0
	for rows.Next() {
		var id int64
		var order string
		if err := rows.Scan(&id, &order); err != nil {
			t.Fatal(err)
		}
		convs++
		if order != "q1,q2,q3" {
			t.Errorf("conversation %d stored its answers as %s, want q1,q2,q3 once each", id, order)
		}
	}
	rows.Close()
	if convs != w.answering {
		t.Errorf("%d conversations have answers, want %d", convs, w.answering)
	}
	var completed, active int
	c.db.QueryRow(`SELECT count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE status = 'active')
		FROM conversations WHERE flow_id = $1`, waveFlow).Scan(&completed, &active)
	if completed != w.answering || active != w.openers {
		t.Errorf("%d check-ins completed and %d open, want %d and %d", completed, active, w.answering, w.openers)
	}

	// The outbox: everything sent, nothing failed.
	var notSent int
	c.db.QueryRow(`SELECT count(*) FROM outbox WHERE status <> 'sent'`).Scan(&notSent)
	if notSent > 0 {
		t.Errorf("%d outbox rows were not sent", notSent)
	}
	want := w.openers + w.answering*(waveQuestions+1)

	// Each chat: the outbox's messages, in order, are the fake's messages
	// less the duplicates.
	sent := map[int64][]int{}
	rows, err = c.db.Query(`SELECT chat_id, coalesce(telegram_message_id, 0) FROM outbox
		WHERE method = 'sendMessage' AND status = 'sent' ORDER BY chat_id, id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var chat, id int64
		rows.Scan(&chat, &id)
		sent[chat] = append(sent[chat], int(id))
		o.messages++
	}
	rows.Close()
	if o.messages != want {
		t.Errorf("%d messages recorded as sent, want %d", o.messages, want)
	}
	reported := 0
	for chat := int64(firstChat); chat < int64(firstChat+w.openers+w.answering); chat++ {
		ids := sent[chat]
		if !slices.IsSorted(ids) {
			t.Errorf("chat %d: messages arrived out of order: %v", chat, ids)
		}
		got := c.fake.Messages(chat)
		texts := map[int]string{}
		for _, m := range got {
			texts[m.ID] = m.Text
		}
		for _, id := range ids {
			if _, ok := texts[id]; !ok {
				t.Errorf("chat %d: message %d recorded as sent is not in the chat", chat, id)
			}
		}
		for _, m := range got {
			if slices.Contains(ids, m.ID) {
				continue
			}
			o.duplicates++
			if reported++; reported > 20 {
				continue
			}
			w.explainDuplicate(chat, m.ID, killed)
		}
	}

	// The global rate, from the accepted sends' times at the fake.
	var times []time.Time
	for _, call := range c.fake.Calls("") {
		if call.Status == 200 && (strings.HasPrefix(call.Method, "send") || strings.HasPrefix(call.Method, "edit")) {
			times = append(times, call.Time)
		}
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	for i, j := 0, 0; j < len(times); j++ {
		for times[j].Sub(times[i]) >= time.Second {
			i++
		}
		o.peakRate = max(o.peakRate, j-i+1)
	}
	if o.peakRate > 30 {
		t.Errorf("the fake accepted %d sends within one second; the limit is 30", o.peakRate)
	}
	o.count429 = c.fake.Count429()
	lastInChat := map[string]time.Time{}
	var accepted []time.Time
	for _, call := range c.fake.Calls("") {
		if !strings.HasPrefix(call.Method, "send") && !strings.HasPrefix(call.Method, "edit") {
			continue
		}
		chat := call.Params["chat_id"]
		switch call.Status {
		case 200:
			lastInChat[chat] = call.Time
			accepted = append(accepted, call.Time)
		case 429:
			inWindow := 0
			for _, at := range accepted {
				if call.Time.Sub(at) < time.Second {
					inWindow++
				}
			}
			t.Logf("429 at %s: %s to chat %s, %v after the chat's last accepted send, %d sends accepted in the second before",
				call.Time.Format("15:04:05.000"), call.Method, chat, call.Time.Sub(lastInChat[chat]), inWindow)
		}
	}
	return o
}

// explainDuplicate proves a message Telegram got twice came from a sender
// killed mid-call: its first copy went through a replica that was killed
// after the call started, and the text is one the chat also got recorded.
func (w *wave) explainDuplicate(chat int64, id int, killed map[int]time.Time) {
	t := w.c.t
	rec, ok := w.c.calls.byMessage(chat, id)
	if !ok {
		t.Errorf("chat %d: message %d is not recorded as sent and no replica's call made it", chat, id)
		return
	}
	at, wasKilled := killed[rec.replica]
	switch {
	case !wasKilled:
		t.Errorf("chat %d: message %d was sent twice, by replica %d, which was not killed", chat, id, rec.replica)
	case !rec.start.Before(at):
		t.Errorf("chat %d: message %d was sent by replica %d after it was killed", chat, id, rec.replica)
	}
	if twin := w.c.calls.copies(chat, id, rec.text); twin == 0 {
		t.Errorf("chat %d: message %d is not recorded as sent and the chat has no other copy of it", chat, id)
	}
}
