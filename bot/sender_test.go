package bot_test

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"suivi/bot"
	"suivi/bot/telegramtest"
	"suivi/storage"
	"suivi/storage/storagetest"
)

// enqueue writes one text message per (chat, text) in order.
func enqueue(t testing.TB, db *sql.DB, lane int, chatID int64, texts ...string) {
	t.Helper()
	for _, text := range texts {
		err := storage.EnqueueMessages(context.Background(), db, storage.OutboxMessage{
			ChatID: chatID, Lane: lane, Method: "sendMessage",
			Params: map[string]string{"chat_id": strconv.FormatInt(chatID, 10), "text": text},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func newSender(db *sql.DB, srv *telegramtest.Server, lim bot.Limiter) *bot.Sender {
	return bot.NewSender(bot.SenderConfig{
		DB: db, Telegram: bot.NewClient(srv.Token(), srv.Endpoint(), nil), Limiter: lim,
		BackoffBase: 20 * time.Millisecond, Idle: 20 * time.Millisecond,
	})
}

func outboxStatus(t testing.TB, db *sql.DB) map[string]int {
	t.Helper()
	rows, err := db.Query(`SELECT status, count(*) FROM outbox GROUP BY status`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		rows.Scan(&s, &n)
		out[s] = n
	}
	return out
}

func runUntil(t *testing.T, s *bot.Sender, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatal("condition not met within 20s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
}

func TestSenderWaitsRetryAfterOn429(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	srv := telegramtest.New()
	defer srv.Close()
	u := srv.User(1001)
	srv.RetryAfterNext(1, 2)
	enqueue(t, db, storage.LaneReply, u.ID(), "bonjour")
	start := time.Now()
	s := newSender(db, srv, bot.NewLocalLimiter(bot.LimitConfig{Rate: 30, ChatInterval: time.Second}))
	runUntil(t, s, func() bool { return len(srv.Messages(u.ID())) == 1 && outboxStatus(t, db)["sent"] == 1 })
	if waited := time.Since(start); waited < 2*time.Second {
		t.Fatalf("delivered after %v, want at least the 2s Telegram asked for", waited)
	}
	if n := len(srv.Messages(u.ID())); n != 1 {
		t.Fatalf("chat got %d messages, want exactly 1", n)
	}
	if srv.Count429() != 1 {
		t.Fatalf("fake answered 429 %d times, want 1", srv.Count429())
	}
}

func TestSenderRetriesServerErrors(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	srv := telegramtest.New()
	defer srv.Close()
	u := srv.User(1002)
	srv.FailNextMethod("sendMessage", 3, 502)
	enqueue(t, db, storage.LaneReply, u.ID(), "un", "deux")
	s := newSender(db, srv, bot.NewLocalLimiter(bot.LimitConfig{}))
	runUntil(t, s, func() bool { return outboxStatus(t, db)["sent"] == 2 })
	msgs := srv.Messages(u.ID())
	if len(msgs) != 2 || msgs[0].Text != "un" || msgs[1].Text != "deux" {
		t.Fatalf("chat got %+v, want un then deux, once each", msgs)
	}
	var attempts int
	db.QueryRow(`SELECT attempts FROM outbox ORDER BY id LIMIT 1`).Scan(&attempts)
	if attempts != 4 {
		t.Fatalf("first message took %d attempts, want 4 (three 502 then success)", attempts)
	}
}

func TestSenderGivesUpAfterMaxAttempts(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	srv := telegramtest.New()
	defer srv.Close()
	u := srv.User(1005)
	srv.FailNextMethod("sendMessage", 100, 500)
	enqueue(t, db, storage.LaneReply, u.ID(), "jamais")
	s := bot.NewSender(bot.SenderConfig{DB: db, Telegram: bot.NewClient(srv.Token(), srv.Endpoint(), nil),
		MaxAttempts: 3, BackoffBase: 5 * time.Millisecond, Idle: 10 * time.Millisecond})
	runUntil(t, s, func() bool { return outboxStatus(t, db)["failed"] == 1 })
	var reason string
	db.QueryRow(`SELECT last_error FROM outbox`).Scan(&reason)
	if reason == "" {
		t.Fatal("a failed message must keep its reason")
	}
}

func TestSenderForbiddenMarksUnreachableAndDropsQueue(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	srv := telegramtest.New()
	defer srv.Close()
	u := srv.User(1003)
	other := srv.User(1004)
	_, err := db.Exec(`INSERT INTO returnees (ref, sex, birth_date, return_date, host_country, telegram_id, chat_id, consent)
		VALUES ('MA-T-1', 'F', '1990-01-01', '2026-01-01', 'IT', $1, $1, 'accepted')`, u.ID())
	if err != nil {
		t.Fatal(err)
	}
	u.Block()
	enqueue(t, db, storage.LaneReply, u.ID(), "un", "deux", "trois")
	enqueue(t, db, storage.LaneReply, other.ID(), "pour l'autre")
	s := newSender(db, srv, bot.NewLocalLimiter(bot.LimitConfig{}))
	runUntil(t, s, func() bool {
		st := outboxStatus(t, db)
		return st["failed"] == 1 && st["dropped"] == 2 && st["sent"] == 1
	})
	var status string
	db.QueryRow(`SELECT status FROM returnees WHERE ref = 'MA-T-1'`).Scan(&status)
	if status != storage.StatusUnreachable {
		t.Fatalf("returnee status %q, want unreachable", status)
	}
	if n := len(srv.Calls("sendMessage")); n != 2 {
		t.Fatalf("%d sendMessage calls, want 2 (one refused, no retry; one to the other chat)", n)
	}
	alerts, _ := storage.ListAlerts(context.Background(), db, storage.AlertFilter{Category: "unreachable"})
	if len(alerts) != 1 {
		t.Fatalf("%d unreachable alerts, want 1", len(alerts))
	}
}

func TestSenderRejectedIsNotRetried(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	srv := telegramtest.New()
	defer srv.Close()
	enqueue(t, db, storage.LaneReply, 424242, "to a chat that does not exist")
	s := newSender(db, srv, bot.NewLocalLimiter(bot.LimitConfig{}))
	runUntil(t, s, func() bool { return outboxStatus(t, db)["failed"] == 1 })
	if n := len(srv.Calls("sendMessage")); n != 1 {
		t.Fatalf("%d calls, want 1: a 400 is not retried", n)
	}
}

// Two senders (two replicas) on one database and one Redis: every message
// is sent exactly once, in order per chat, and the fake never answers 429.
func TestTwoSendersShareTheOutbox(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	rdb, prefix := storagetest.NewRedis(t)
	srv := telegramtest.New()
	defer srv.Close()
	const chats, perChat = 40, 3
	for c := range chats {
		u := srv.User(int64(5000 + c))
		for i := range perChat {
			enqueue(t, db, storage.LaneBulk, u.ID(), fmt.Sprintf("chat %d message %d", c, i))
		}
	}
	lc := bot.LimitConfig{Rate: 30, ChatInterval: time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		s := newSender(db, srv, bot.NewRedisLimiter(lc, rdb, prefix, discard()))
		wg.Add(1)
		go func() { defer wg.Done(); s.Run(ctx) }()
	}
	start := time.Now()
	deadline := start.Add(30 * time.Second)
	for srv.Sent() < chats*perChat && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := time.Since(start)
	time.Sleep(200 * time.Millisecond) // let any duplicate show up
	cancel()
	wg.Wait()
	if srv.Sent() != chats*perChat {
		t.Fatalf("fake accepted %d messages, want exactly %d", srv.Sent(), chats*perChat)
	}
	for c := range chats {
		msgs := srv.Messages(int64(5000 + c))
		for i, m := range msgs {
			if want := fmt.Sprintf("chat %d message %d", c, i); m.Text != want {
				t.Fatalf("chat %d message %d is %q, want %q", c, i, m.Text, want)
			}
		}
	}
	if n := srv.Count429(); n != 0 {
		dump429(t, srv)
		t.Fatalf("fake answered 429 %d times, want 0", n)
	}
	// 120 messages at 30/s cannot take less than about 4s in all.
	if rate := float64(chats*perChat) / elapsed.Seconds(); rate > 30.5 {
		t.Fatalf("combined rate %.1f/s exceeds the 30/s limit", rate)
	}
	if st := outboxStatus(t, db); st["sent"] != chats*perChat {
		t.Fatalf("outbox statuses %v", st)
	}
}

func dump429(t *testing.T, srv *telegramtest.Server) {
	calls := srv.Calls("")
	for i, c := range calls {
		if c.Status == 429 {
			t.Logf("429 at %v chat %s: %s", c.Time.Format("15:04:05.000"), c.Params["chat_id"], c.Error)
			for _, p := range calls[:i] {
				if p.Params["chat_id"] == c.Params["chat_id"] {
					t.Logf("  same chat: %v %d %s", p.Time.Format("15:04:05.000"), p.Status, p.Params["text"])
				}
			}
			n := 0
			for _, p := range calls[:i] {
				if p.Status == 200 && c.Time.Sub(p.Time) < time.Second {
					n++
				}
			}
			t.Logf("  %d accepted in the second before", n)
		}
	}
}
