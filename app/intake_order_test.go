package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"suivi/app"
	"suivi/storage"
)

// Telegram posts up to 40 webhook calls at once: a double (here sextuple)
// tap on "accept" must not bind the returnee twice nor restart onboarding.
func TestConcurrentWebhookCallsOfOneChatAreHandledInOrder(t *testing.T) {
	w := newWorld(t)
	fast(w)
	r, cfg := startWebhook(w, app.Options{})
	p := w.person(7701, "fr")
	token := w.enrol("MA-TAP-1")
	p.u.SendCommand("start", token)
	p.answer(":fr")
	var consent string
	var msgID int
	for consent == "" {
		m := p.next()
		for _, row := range m.Buttons() {
			for _, b := range row {
				if strings.HasSuffix(b.Data, ":accepted") {
					consent, msgID = b.Data, m.ID
				}
			}
		}
	}
	p.settle()
	url := "http://" + r.App.Addr() + "/telegram/webhook"
	var wg sync.WaitGroup
	codes := make([]int, 6)
	for i := range codes {
		body := []byte(`{"update_id":` + itoa(900000+i) + `,"callback_query":{"id":"tap` + itoa(i) + `","from":{"id":7701,"is_bot":false,"first_name":"A","language_code":"fr"},` +
			`"message":{"message_id":` + itoa(msgID) + `,"date":1,"chat":{"id":7701,"type":"private"}},"chat_instance":"1","data":"` + consent + `"}}`)
		wg.Add(1)
		go func() { defer wg.Done(); codes[i] = post(t, url, cfg.WebhookSecret, body) }()
	}
	wg.Wait()
	for i, c := range codes {
		if c != 200 {
			t.Fatalf("tap %d answered %d", i, c)
		}
	}
	p.settle()
	ret, err := storage.ReturneeByRef(context.Background(), w.DB, "MA-TAP-1")
	if err != nil {
		t.Fatal(err)
	}
	if n := w.count(`SELECT count(*) FROM conversations WHERE returnee_id = $1`, ret.ID); n != 1 {
		t.Fatalf("%d conversations after a multiple tap on accept, want 1 (onboarding restarted)", n)
	}
	if n := w.count(`SELECT count(*) FROM invitations WHERE onboarding IS NOT NULL`); n != 0 {
		t.Fatal("onboarding restarted on the invitation of a returnee already bound")
	}
	var keyboards int
	for _, m := range w.Fake.Messages(7701)[p.seen:] {
		if len(m.Buttons()) > 0 {
			keyboards++
		}
	}
	if keyboards != 1 {
		t.Fatalf("%d questions sent after the taps, want 1 (the time of day)", keyboards)
	}
	if n := w.count(`SELECT count(*) FROM answers a JOIN conversations c ON c.id = a.conversation_id WHERE c.returnee_id = $1 AND a.question_id = 'consent'`, ret.ID); n != 1 {
		t.Fatalf("consent recorded %d times, want 1", n)
	}
}

// serve refuses to start while open conversations need a flow version that
// is not loaded, and says which.
func TestServeRefusesMissingFlowVersionsOfOpenConversations(t *testing.T) {
	w := newWorld(t)
	w.enrol("MA-FLOW-1")
	ret, err := storage.ReturneeByRef(context.Background(), w.DB, "MA-FLOW-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.Exec(`INSERT INTO conversations (returnee_id, flow_id, flow_version) VALUES ($1, 'wellbeing', 99)`, ret.ID); err != nil {
		t.Fatal(err)
	}
	_, err = app.New(context.Background(), w.Cfg, app.Options{Logger: testLogger()})
	if err == nil || !strings.Contains(err.Error(), "flow wellbeing version 99: 1 open conversation") {
		t.Fatalf("New: %v, want a refusal naming flow wellbeing version 99 and its 1 open conversation", err)
	}
	// Once it is closed the server starts.
	w.DB.Exec(`UPDATE conversations SET status = 'cancelled'`)
	a, err := app.New(context.Background(), w.Cfg, app.Options{Logger: testLogger()})
	if err != nil {
		t.Fatalf("New after closing: %v", err)
	}
	a.Close()
}
