package app_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"suivi/app"
	"suivi/bot"
	"suivi/bot/telegramtest"
)

// poisonChat is the chat whose every update fails: a trigger refuses any
// outbox row for it, so the handler's transaction rolls back each time.
const poisonChat = 6666

func poison(w *world) {
	w.t.Helper()
	_, err := w.DB.Exec(`
		CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.chat_id = 6666 THEN RAISE EXCEPTION 'poisoned chat'; END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER poison BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION poison();`)
	if err != nil {
		w.t.Fatal(err)
	}
}

// fast lets the fake and the sender deliver without the per-chat pace.
func fast(w *world) {
	l := telegramtest.AllLimits()
	l.PerChatRate, l.GlobalRate = false, false
	w.Fake.SetLimits(l)
	w.Cfg.SendChatInterval = 0
	w.Cfg.SendRate = 1000
}

// waitLong waits up to 60s: 150 replies go through the real sender.
func (w *world) waitLong(what string, cond func() bool) {
	w.t.Helper()
	w.within(60*time.Second, what, cond)
}

// strangersAnswered waits until each of n strangers from id got one reply.
func strangersAnswered(w *world, from int64, n int) {
	w.t.Helper()
	w.waitLong("every stranger to be answered", func() bool {
		for i := range int64(n) {
			if len(w.Fake.Messages(from+i)) == 0 {
				return false
			}
		}
		return true
	})
}

func deadLetter(w *world, updateID int) (attempts int, dead bool) {
	w.t.Helper()
	err := w.DB.QueryRow(`SELECT attempts, dead_at IS NOT NULL FROM update_failures WHERE update_id = $1`, updateID).Scan(&attempts, &dead)
	if err != nil {
		w.t.Fatalf("dead letter of update %d: %v", updateID, err)
	}
	return attempts, dead
}

func metricsText(t *testing.T, r *running) string {
	t.Helper()
	resp, err := http.Get("http://" + r.App.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// One update that fails every time used to stop polling for good: the batch
// behind it was fetched again forever. Now it is retried a bounded number of
// times, becomes a dead letter, and the 150 strangers behind it are answered.
func TestPoisonUpdateBecomesADeadLetterAndPollingGoesOn(t *testing.T) {
	w := newWorld(t)
	fast(w)
	poison(w)
	poisoned := w.Fake.User(poisonChat).SendText("bonjour")
	for i := range int64(150) {
		w.Fake.User(20000 + i).SendText("salam")
	}
	r := w.start(w.Cfg, app.Options{})
	strangersAnswered(w, 20000, 150)
	w.waitLong("every update to be confirmed", func() bool { return w.Fake.PendingUpdates() == 0 })
	if attempts, dead := deadLetter(w, poisoned); !dead || attempts != 5 {
		t.Fatalf("poisoned update: %d attempts, dead letter %v; want 5 attempts and a dead letter", attempts, dead)
	}
	if n := w.count(`SELECT count(*) FROM telegram_updates WHERE update_id = $1`, poisoned); n != 1 {
		t.Fatal("the dead letter's update id is not recorded as handled")
	}
	if m := metricsText(t, r); !strings.Contains(m, "suivi_dead_letters_total 1") {
		t.Fatalf("metrics lack suivi_dead_letters_total 1")
	}
	if n := len(w.Fake.Messages(poisonChat)); n != 0 {
		t.Fatalf("the poisoned chat got %d messages", n)
	}

	// Handed back while still failing: kept, one more attempt.
	var id int64
	w.DB.QueryRow(`SELECT id FROM update_failures WHERE update_id = $1`, poisoned).Scan(&id)
	var again *bot.RetryFailedError
	if err := r.App.Router.RetryDeadLetter(context.Background(), id); !errors.As(err, &again) || again.Attempts != 6 {
		t.Fatalf("retry of a still failing dead letter: %v, want a RetryFailedError with 6 attempts", err)
	}
	// Once the cause is fixed it goes through, and the dead letter is gone.
	w.DB.Exec(`DROP TRIGGER poison ON outbox`)
	if err := r.App.Router.RetryDeadLetter(context.Background(), id); err != nil {
		t.Fatalf("retry: %v", err)
	}
	w.waitMessages(poisonChat, 1)
	if n := w.count(`SELECT count(*) FROM update_failures`); n != 0 {
		t.Fatalf("%d dead letters left after a successful retry", n)
	}
}

// In webhook mode Telegram redelivers a failed update after a 5xx: the
// attempts are counted in the database, the last one is answered 200 with a
// dead letter, and the updates behind it are delivered.
func TestPoisonUpdateInWebhookModeIsAnswered200AfterItsAttempts(t *testing.T) {
	w := newWorld(t)
	fast(w)
	poison(w)
	startWebhook(w, app.Options{})
	poisoned := w.Fake.User(poisonChat).SendText("bonjour")
	for i := range int64(150) {
		w.Fake.User(21000 + i).SendText("salam")
	}
	strangersAnswered(w, 21000, 150)
	if attempts, dead := deadLetter(w, poisoned); !dead || attempts != 5 {
		t.Fatalf("poisoned update: %d attempts, dead letter %v; want 5 attempts and a dead letter", attempts, dead)
	}
	var statuses []int
	for _, d := range w.Fake.Deliveries() {
		if d.UpdateID == poisoned {
			statuses = append(statuses, d.Status)
		}
	}
	want := []int{500, 500, 500, 500, 200}
	if len(statuses) != len(want) {
		t.Fatalf("poisoned update delivered with answers %v, want %v", statuses, want)
	}
	for i := range want {
		if statuses[i] != want[i] {
			t.Fatalf("poisoned update delivered with answers %v, want %v", statuses, want)
		}
	}
}

// A free-text answer and a stranger's message with NUL bytes: PostgreSQL
// refuses them in text and jsonb, so each used to fail every time.
func TestNULBytesAreStrippedBeforeAnythingIsStored(t *testing.T) {
	w := newWorld(t)
	fast(w)
	w.Cfg.FlowsDir = t.TempDir()
	writeFile(t, w.Cfg.FlowsDir+"/free_note.yaml", freeNoteFlow)
	r := w.start(w.Cfg, app.Options{})

	stranger := w.Fake.User(7601)
	stranger.SendText("sa\x00lam")
	w.waitMessages(stranger.ID(), 1)

	p := w.person(7602, "fr")
	p.onboard(w.enrol("MA-NUL-1"))
	w.startCheckin(r, "MA-NUL-1", "free_note")
	p.expect("note")
	p.u.SendText("bon\x00jour \x00à tous")
	p.settle()
	if v := answerValue(t, w, "note"); v["text"] != "bonjour à tous" {
		t.Fatalf("note stored as %v, want the text without NUL bytes", v)
	}
	if n := w.count(`SELECT count(*) FROM update_failures`); n != 0 {
		t.Fatalf("%d updates failed", n)
	}
}

const freeNoteFlow = `id: free_note
version: 1
title: {fr: Note, ar: ملاحظة, en: Note}
schedule: {trigger: manual}
questions:
  - id: note
    type: text
    text:
      fr: "Écrivez une note."
      ar: "اكتب ملاحظة."
      en: "Write a note."
`

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// An update that fails twice and then succeeds is handled once, in order,
// and leaves no trace of its failures (they held the raw message).
func TestPassingFailureLeavesNoTrace(t *testing.T) {
	w := newWorld(t)
	_, err := w.DB.Exec(`
		CREATE SEQUENCE hiccups;
		CREATE FUNCTION hiccup() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.chat_id = 6667 AND nextval('hiccups') <= 2 THEN RAISE EXCEPTION 'database hiccup'; END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER hiccup BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION hiccup();`)
	if err != nil {
		t.Fatal(err)
	}
	w.start(w.Cfg, app.Options{})
	u := w.Fake.User(6667)
	u.SendText("bonjour")
	w.waitMessages(u.ID(), 1)
	if n := w.count(`SELECT count(*) FROM update_failures`); n != 0 {
		t.Fatalf("%d failure rows left after the update was handled", n)
	}
	if n := w.count(`SELECT last_value FROM hiccups`); n < 3 {
		t.Fatalf("the hiccups did not happen (%d inserts)", n)
	}
}
