package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"suivi/app"
	"suivi/bot"
)

func TestStrangerGetsPoliteReplyAndNothingIsStored(t *testing.T) {
	w := newWorld(t)
	w.start(w.Cfg, app.Options{})
	u := w.Fake.User(7001)
	u.SendText("salam")
	msgs := w.waitMessages(u.ID(), 1)
	if !strings.Contains(msgs[0].Text, "invitation") {
		t.Fatalf("reply %q does not explain how to get an invitation", msgs[0].Text)
	}
	w.eventually("the ephemeral reply to be deleted once sent", func() bool { return w.count(`SELECT count(*) FROM outbox`) == 0 })
	if n := w.count(`SELECT count(*) FROM telegram_updates`); n != 1 {
		t.Fatalf("%d update ids stored, want 1", n)
	}
	for _, table := range []string{"returnees", "staff", "conversations", "answers", "alerts", "invitations"} {
		if n := w.count(`SELECT count(*) FROM ` + table); n != 0 {
			t.Fatalf("%s has %d rows after a stranger wrote", table, n)
		}
	}
}

// The confirmation of an update (the next getUpdates) is lost when the
// process stops: the next process gets the update again and must not act
// twice.
func TestPollingRedeliveryHasEffectOnce(t *testing.T) {
	w := newWorld(t)
	u := w.Fake.User(7002)
	u.SendText("bonjour")
	// The first poll gets the update; the second, which would confirm it, never arrives.
	w.Fake.HangMethodAfter("getUpdates", 1, 1)
	first := w.start(w.Cfg, app.Options{})
	w.waitMessages(u.ID(), 1)
	first.Stop()
	w.Fake.ClearFaults()
	if w.Fake.PendingUpdates() != 1 {
		t.Fatalf("fake holds %d unconfirmed updates, want 1 (the test needs a redelivery)", w.Fake.PendingUpdates())
	}
	w.start(w.Cfg, app.Options{})
	w.eventually("the redelivered update to be confirmed", func() bool { return w.Fake.PendingUpdates() == 0 })
	time.Sleep(300 * time.Millisecond)
	if n := len(w.Fake.Messages(u.ID())); n != 1 {
		t.Fatalf("chat got %d replies, want 1: a redelivered update must have effect once", n)
	}
	if n := w.count(`SELECT count(*) FROM telegram_updates`); n != 1 {
		t.Fatalf("%d update ids recorded, want 1", n)
	}
}

// A process stopped between receiving an update and committing it: the
// transaction rolls back, the update is not confirmed, and the next process
// handles it exactly once.
func TestUpdateInterruptedBeforeCommitIsHandledOnceAfterRestart(t *testing.T) {
	w := newWorld(t)
	u := w.Fake.User(7003)
	// Hold a lock the handler needs, so it is stuck before commit.
	lock, err := w.DB.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec(`LOCK TABLE telegram_updates IN EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	first := w.start(w.Cfg, app.Options{HandleTimeout: 300 * time.Millisecond})
	u.SendText("bonjour")
	w.eventually("the update to be fetched", func() bool { return len(w.Fake.Calls("getUpdates")) >= 1 && w.Fake.PendingUpdates() == 1 })
	time.Sleep(200 * time.Millisecond)
	first.Stop() // the handler's transaction times out and rolls back
	lock.Rollback()
	if n := w.count(`SELECT count(*) FROM telegram_updates`); n != 0 {
		t.Fatalf("%d updates recorded by the interrupted process, want 0", n)
	}
	if w.Fake.PendingUpdates() != 1 {
		t.Fatal("the interrupted update was confirmed to Telegram")
	}
	w.start(w.Cfg, app.Options{})
	w.waitMessages(u.ID(), 1)
	w.eventually("the update to be confirmed", func() bool { return w.Fake.PendingUpdates() == 0 })
	time.Sleep(300 * time.Millisecond)
	if n := len(w.Fake.Messages(u.ID())); n != 1 {
		t.Fatalf("chat got %d replies, want exactly 1", n)
	}
	if n := w.count(`SELECT count(*) FROM telegram_updates`); n != 1 {
		t.Fatalf("%d updates recorded, want 1", n)
	}
}

func TestIdlePollingDoesNotSpin(t *testing.T) {
	w := newWorld(t)
	// A server that answers getUpdates at once, without waiting.
	w.start(w.Cfg, app.Options{PollTimeout: time.Nanosecond})
	time.Sleep(200 * time.Millisecond)
	before := len(w.Fake.Calls("getUpdates"))
	time.Sleep(time.Second)
	if n := len(w.Fake.Calls("getUpdates")) - before; n > 12 {
		t.Fatalf("%d getUpdates calls in one idle second, want at most about 10", n)
	}
}

func TestPollingBacksOffOnServerErrors(t *testing.T) {
	w := newWorld(t)
	w.Fake.FailNextMethod("getUpdates", 3, 502)
	w.start(w.Cfg, app.Options{})
	u := w.Fake.User(7004)
	u.SendText("bonjour")
	w.waitMessages(u.ID(), 1)
}

// startWebhook runs an App in webhook mode on a known address, so the fake
// can deliver to it.
func startWebhook(w *world, opts app.Options) (*running, app.Config) {
	l := listen(w.t, "127.0.0.1:0")
	cfg := w.Cfg
	cfg.WebhookURL = "http://" + l.Addr().String() + "/telegram/webhook"
	cfg.WebhookSecret = "s3cret_token-1"
	opts.Listener = l
	return w.start(cfg, opts), cfg
}

func TestWebhookDeliveryAndDuplicates(t *testing.T) {
	w := newWorld(t)
	r, cfg := startWebhook(w, app.Options{})
	u := w.Fake.User(7010)
	u.SendText("bonjour")
	w.waitMessages(u.ID(), 1)
	if d := w.Fake.Deliveries(); len(d) == 0 || d[len(d)-1].Status != http.StatusOK {
		t.Fatalf("webhook deliveries %+v, want a 200", d)
	}
	if w.Fake.WebhookURL() != cfg.WebhookURL {
		t.Fatalf("webhook set to %q", w.Fake.WebhookURL())
	}
	// Telegram delivering the same update again: 200, no second effect.
	updates := w.count(`SELECT count(*) FROM telegram_updates`)
	var id int
	w.DB.QueryRow(`SELECT max(update_id) FROM telegram_updates`).Scan(&id)
	body := []byte(`{"update_id":` + itoa(id) + `,"message":{"message_id":1,"date":1,"chat":{"id":7010,"type":"private"},"from":{"id":7010,"is_bot":false,"first_name":"A"},"text":"bonjour"}}`)
	if code := post(t, "http://"+r.App.Addr()+"/telegram/webhook", cfg.WebhookSecret, body); code != http.StatusOK {
		t.Fatalf("duplicate delivery answered %d, want 200", code)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(w.Fake.Messages(u.ID())); n != 1 {
		t.Fatalf("chat got %d replies after a duplicate delivery, want 1", n)
	}
	if n := w.count(`SELECT count(*) FROM telegram_updates`); n != updates {
		t.Fatal("a duplicate delivery stored something")
	}
}

func TestWebhookRejectsBadRequests(t *testing.T) {
	w := newWorld(t)
	r, cfg := startWebhook(w, app.Options{})
	url := "http://" + r.App.Addr() + "/telegram/webhook"
	valid := []byte(`{"update_id":991,"message":{"message_id":1,"date":1,"chat":{"id":7020,"type":"private"},"from":{"id":7020,"is_bot":false,"first_name":"A"},"text":"x"}}`)
	huge := append([]byte(`{"update_id":992,"message":{"text":"`), bytes.Repeat([]byte("a"), 2<<20)...)
	huge = append(huge, []byte(`"}}`)...)
	cases := []struct {
		name   string
		secret string
		body   []byte
		want   int
	}{
		{"missing secret", "", valid, http.StatusUnauthorized},
		{"wrong secret", "not-the-secret", valid, http.StatusUnauthorized},
		{"malformed body", cfg.WebhookSecret, []byte(`{"update_id": "nope`), http.StatusBadRequest},
		{"no update id", cfg.WebhookSecret, []byte(`{"message":{}}`), http.StatusBadRequest},
		{"oversized body", cfg.WebhookSecret, huge, http.StatusBadRequest},
	}
	for _, c := range cases {
		if code := post(t, url, c.secret, c.body); code != c.want {
			t.Errorf("%s: got %d, want %d", c.name, code, c.want)
		}
	}
	if n := w.count(`SELECT count(*) FROM telegram_updates`); n != 0 {
		t.Fatalf("%d updates stored from rejected requests", n)
	}
	if n := w.count(`SELECT count(*) FROM outbox`); n != 0 {
		t.Fatalf("%d messages queued from rejected requests", n)
	}
}

func TestWebhookAnswers5xxWhenItCannotStore(t *testing.T) {
	w := newWorld(t)
	r, cfg := startWebhook(w, app.Options{HandleTimeout: 200 * time.Millisecond})
	lock, _ := w.DB.Begin()
	lock.Exec(`LOCK TABLE telegram_updates IN EXCLUSIVE MODE`)
	body := []byte(`{"update_id":993,"message":{"message_id":1,"date":1,"chat":{"id":7030,"type":"private"},"from":{"id":7030,"is_bot":false,"first_name":"A"},"text":"x"}}`)
	code := post(t, "http://"+r.App.Addr()+"/telegram/webhook", cfg.WebhookSecret, body)
	lock.Rollback()
	if code < 500 {
		t.Fatalf("got %d when the update could not be stored, want 5xx so Telegram retries", code)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	w := newWorld(t)
	r := w.start(w.Cfg, app.Options{})
	base := "http://" + r.App.Addr()
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 200} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
	u := w.Fake.User(7040)
	u.SendText("x")
	w.waitMessages(u.ID(), 1)
	var buf bytes.Buffer
	w.eventually("the send counted", func() bool { // counted once the fake's answer is back
		buf.Reset()
		resp, _ := http.Get(base + "/metrics")
		buf.ReadFrom(resp.Body)
		resp.Body.Close()
		return strings.Contains(buf.String(), `suivi_messages_sent_total{result="sent"}`)
	})
	for _, name := range []string{`suivi_updates_handled_total{result="ok"} 1`, `suivi_messages_sent_total{result="sent"}`, "suivi_outbox_depth", "suivi_send_latency_seconds", "suivi_telegram_429_total"} {
		if !strings.Contains(buf.String(), name) {
			t.Errorf("metrics lack %s", name)
		}
	}
	var ready map[string]any
	resp, _ := http.Get(base + "/readyz")
	json.NewDecoder(resp.Body).Decode(&ready)
	resp.Body.Close()
	if ready["ready"] != true {
		t.Fatalf("readyz: %v", ready)
	}
}

func post(t *testing.T, url, secret string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, url, bytes.NewReader(body))
	if secret != "" {
		req.Header.Set(bot.SecretHeader, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
