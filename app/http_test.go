package app_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"suivi/app"
	"suivi/storage"
)

// /metrics can live on its own address, away from the public webhook port.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	w := newWorld(t)
	metrics := listen(t, "127.0.0.1:0")
	r := w.start(w.Cfg, app.Options{MetricsListener: metrics})
	if r.App.MetricsAddr() != metrics.Addr().String() {
		t.Fatalf("metrics address %q, want %q", r.App.MetricsAddr(), metrics.Addr())
	}
	for url, want := range map[string]int{
		"http://" + r.App.Addr() + "/metrics":            http.StatusNotFound,
		"http://" + r.App.Addr() + "/readyz":             http.StatusOK,
		"http://" + metrics.Addr().String() + "/metrics": http.StatusOK,
		"http://" + metrics.Addr().String() + "/readyz":  http.StatusNotFound,
	} {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", url, resp.StatusCode, want)
		}
	}
}

// A client that sends a request's headers and then stalls its body is cut
// off by the read timeout instead of holding a connection and a handler.
func TestStalledRequestBodyIsCutOff(t *testing.T) {
	w := newWorld(t)
	r, cfg := startWebhook(w, app.Options{HTTPReadTimeout: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", r.App.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := "POST /telegram/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
		"X-Telegram-Bot-Api-Secret-Token: " + cfg.WebhookSecret + "\r\nContent-Length: 1000\r\n\r\n{\"update_id\":"
	if _, err := conn.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	answer, _ := io.ReadAll(conn) // ends when the server closes the connection
	if time.Since(start) > 8*time.Second {
		t.Fatalf("the server held a stalled request for %s", time.Since(start))
	}
	if bytes.Contains(answer, []byte(" 200 ")) {
		t.Fatalf("a stalled request was answered 200: %q", answer)
	}
}

// Shutdown stops intake first: once asked to stop, a replica turns new
// webhook updates away (503, so Telegram delivers them again) and says it is
// not ready, finishes the update it is handling, and keeps its sender
// running until then.
func TestShutdownStopsIntakeBeforeSending(t *testing.T) {
	w := newWorld(t)
	r, cfg := startWebhook(w, app.Options{HandleTimeout: 30 * time.Second})
	hook := "http://" + r.App.Addr() + "/telegram/webhook"
	update := func(id int, chat int64) []byte {
		c := strconv.FormatInt(chat, 10)
		return []byte(`{"update_id":` + itoa(id) + `,"message":{"message_id":1,"date":1,"chat":{"id":` + c +
			`,"type":"private"},"from":{"id":` + c + `,"is_bot":false,"first_name":"A"},"text":"bonjour"}}`)
	}

	for _, id := range []int64{7101, 7102, 7103} {
		w.Fake.User(id)
	}
	// Hold the first update inside its transaction.
	lock, err := w.DB.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback()
	if _, err := lock.Exec(`LOCK TABLE telegram_updates IN EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	first := make(chan int, 1)
	go func() { first <- postCode(hook, cfg.WebhookSecret, update(501, 7101)) }()
	w.eventually("the first update waiting on its lock", func() bool {
		return w.count(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`) > 0
	})

	if code := getCode("http://" + r.App.Addr() + "/readyz"); code != http.StatusOK {
		t.Fatalf("readyz answered %d before shutdown, want 200", code)
	}
	r.cancel() // SIGTERM
	// Shutdown closes intake a moment after the signal; readyz reports the
	// same gate. An update posted before it closes would be admitted and
	// wait on the lock, so the test posts once the gate is seen closed.
	w.eventually("readyz answering 503 while shutting down", func() bool {
		return getCode("http://"+r.App.Addr()+"/readyz") == http.StatusServiceUnavailable
	})
	if code := postCode(hook, cfg.WebhookSecret, update(502, 7102)); code != http.StatusServiceUnavailable {
		t.Fatalf("an update during shutdown was answered %d, want 503", code)
	}
	// The sender still delivers while intake drains.
	if err := storage.EnqueueMessages(context.Background(), w.DB, storage.OutboxMessage{ChatID: 7103, Method: "sendMessage",
		Params: map[string]string{"chat_id": "7103", "text": "still sending"}}); err != nil {
		t.Fatal(err)
	}
	w.waitMessages(7103, 1)

	lock.Rollback()
	if code := <-first; code != http.StatusOK {
		t.Fatalf("the update in flight was answered %d, want 200", code)
	}
	if err := <-r.done; err != nil {
		t.Fatalf("run: %v", err)
	}
	r.App.Close()
	r.cancel = nil
	// Its reply was committed: sent already, or waiting for the next sender.
	if len(w.Fake.Messages(7101)) == 0 && w.count(`SELECT count(*) FROM outbox WHERE chat_id = 7101 AND status IN ('pending', 'sending')`) == 0 {
		var rows string
		w.DB.QueryRow(`SELECT coalesce(string_agg(status || ' ' || coalesce(last_error, ''), '; '), 'none') FROM outbox WHERE chat_id = 7101`).Scan(&rows)
		t.Fatalf("the reply to the update handled during shutdown is lost (outbox: %s)", rows)
	}
	if n := w.count(`SELECT count(*) FROM telegram_updates WHERE update_id = 502`); n != 0 {
		t.Fatal("an update turned away during shutdown was stored")
	}
}

func postCode(url, secret string, body []byte) int {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func getCode(url string) int {
	resp, err := http.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
