package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"suivi/storage"
)

func TestUpdatesDeadLetters(t *testing.T) {
	c := newCLI(t)
	ctx := context.Background()
	raw := []byte(`{"update_id":4242,"message":{"message_id":1,"date":1,"chat":{"id":5151,"type":"private"},"from":{"id":5151,"is_bot":false,"first_name":"A"},"text":"a private message"}}`)
	at := time.Date(2018, 7, 14, 9, 0, 0, 0, time.UTC)
	for i := range 5 {
		if _, _, err := storage.RecordFailure(ctx, c.db, storage.UpdateFailure{UpdateID: 4242, ChatID: 5151, Raw: raw,
			Error: "route: boom", At: at.Add(time.Duration(i) * time.Minute)}, 5); err != nil {
			t.Fatal(err)
		}
	}
	out := c.must(t, "updates", "dead-letters")
	if !regexp.MustCompile(`(?m)^ID\s+UPDATE\s+ATTEMPTS\s+FIRST FAILURE\s+LAST FAILURE\s+ERROR\n\d+\s+4242\s+5\s+2018-07-14 09:00:00\s+2018-07-14 09:04:00\s+route: boom$`).MatchString(out) {
		t.Fatalf("list:\n%s", out)
	}
	if strings.Contains(out, "private message") {
		t.Fatalf("the list shows message text:\n%s", out)
	}
	var id int64
	c.db.QueryRow(`SELECT id FROM update_failures`).Scan(&id)

	// Still failing: kept, with one more attempt, and said so.
	c.db.Exec(`CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'still broken'; END $$;
		CREATE TRIGGER poison BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION poison();`)
	_, err := c.run("updates", "dead-letters", "--retry", itoa64(id))
	if err == nil || !strings.Contains(err.Error(), "failed again and is kept, now with 6 attempts") || !strings.Contains(err.Error(), "still broken") {
		t.Fatalf("retry of a failing dead letter: %v", err)
	}
	if n := c.count(t, `SELECT attempts FROM update_failures WHERE id = $1`, id); n != 6 {
		t.Fatalf("attempts %d, want 6", n)
	}
	// Fixed: handled (the stranger gets a reply in the outbox) and removed.
	c.db.Exec(`DROP TRIGGER poison ON outbox`)
	out = c.must(t, "updates", "dead-letters", "--retry", itoa64(id))
	if !strings.Contains(out, "handled and removed") {
		t.Fatalf("retry: %s", out)
	}
	if n := c.count(t, `SELECT count(*) FROM update_failures`); n != 0 {
		t.Fatalf("%d dead letters left", n)
	}
	if n := c.count(t, `SELECT count(*) FROM outbox WHERE chat_id = 5151`); n != 1 {
		t.Fatalf("%d replies queued for the retried update, want 1", n)
	}
	if n := c.count(t, `SELECT count(*) FROM telegram_updates WHERE update_id = 4242`); n != 1 {
		t.Fatalf("retried update recorded %d times", n)
	}
	if _, err := c.run("updates", "dead-letters", "--retry", itoa64(id)); err == nil || !strings.Contains(err.Error(), "no dead letter") {
		t.Fatalf("retry of a removed dead letter: %v", err)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
