package bot_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"suivi/bot"
	"suivi/bot/telegramtest"
	"suivi/storage"
	"suivi/storage/storagetest"
)

// runSenders runs senders until cond holds (or 30s pass), then stops them.
func runSenders(t *testing.T, cond func() bool, senders ...*bot.Sender) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, s := range senders {
		wg.Add(1)
		go func() { defer wg.Done(); s.Run(ctx) }()
	}
	deadline := time.Now().Add(30 * time.Second)
	for !cond() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // let a duplicate show up
	cancel()
	wg.Wait()
	if !cond() {
		t.Fatal("condition not met within 30s")
	}
}

// deliveredOnce checks every chat got its texts exactly once, in order.
func deliveredOnce(t *testing.T, srv *telegramtest.Server, first int64, chats, perChat int) {
	t.Helper()
	for c := range chats {
		msgs := srv.Messages(first + int64(c))
		if len(msgs) != perChat {
			t.Fatalf("chat %d got %d messages, want %d exactly", c, len(msgs), perChat)
		}
		for i, m := range msgs {
			if want := fmt.Sprintf("chat %d message %d", c, i); m.Text != want {
				t.Fatalf("chat %d message %d is %q, want %q", c, i, m.Text, want)
			}
		}
	}
}

func fill(srv *telegramtest.Server, enqueueFn func(chat int64, text string), first int64, chats, perChat int) {
	for c := range chats {
		u := srv.User(first + int64(c))
		for i := range perChat {
			enqueueFn(u.ID(), fmt.Sprintf("chat %d message %d", c, i))
		}
	}
}

// A 429 whose retry_after outlasts the lease: the messages claimed with it
// wait for the pause without losing their claim to the other replica, and
// each is delivered exactly once.
func TestRetryAfterLongerThanLeaseDeliversOnce(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	rdb, prefix := storagetest.NewRedis(t)
	srv := telegramtest.New()
	defer srv.Close()
	const chats, perChat = 30, 2
	fill(srv, func(chat int64, text string) { enqueue(t, db, storage.LaneBulk, chat, text) }, 7000, chats, perChat)
	srv.RetryAfterNext(1, 3)
	lc := bot.LimitConfig{Rate: 30, ChatInterval: time.Second}
	var senders []*bot.Sender
	for range 2 {
		senders = append(senders, bot.NewSender(bot.SenderConfig{
			DB: db, Telegram: bot.NewClient(srv.Token(), srv.Endpoint(), nil),
			Limiter: bot.NewRedisLimiter(lc, rdb, prefix, discard()),
			Lease:   2 * time.Second, BackoffBase: 20 * time.Millisecond, Idle: 20 * time.Millisecond,
		}))
	}
	runSenders(t, func() bool { return outboxStatus(t, db)["sent"] == chats*perChat }, senders...)
	deliveredOnce(t, srv, 7000, chats, perChat)
	if srv.Sent() != chats*perChat {
		t.Fatalf("fake accepted %d messages, want %d", srv.Sent(), chats*perChat)
	}
	if n := srv.Count429(); n != 1 {
		dump429(t, srv)
		t.Fatalf("fake answered 429 %d times, want only the injected one", n)
	}
}

// Recording outcomes fails a few times after Telegram accepted the
// messages: the sender retries the record, and nothing is sent twice.
func TestRecordFailureSendsNothingTwice(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	srv := telegramtest.New()
	defer srv.Close()
	_, err := db.Exec(`
		CREATE SEQUENCE record_failures;
		CREATE FUNCTION fail_records() RETURNS trigger AS $$
		BEGIN
			IF NEW.status = 'sent' AND nextval('record_failures') <= 3 THEN
				RAISE EXCEPTION 'injected failure while recording outcomes';
			END IF;
			RETURN NEW;
		END $$ LANGUAGE plpgsql;
		CREATE TRIGGER fail_records BEFORE UPDATE ON outbox FOR EACH ROW EXECUTE FUNCTION fail_records();`)
	if err != nil {
		t.Fatal(err)
	}
	const chats, perChat = 10, 2
	fill(srv, func(chat int64, text string) { enqueue(t, db, storage.LaneReply, chat, text) }, 7100, chats, perChat)
	s := bot.NewSender(bot.SenderConfig{
		DB: db, Telegram: bot.NewClient(srv.Token(), srv.Endpoint(), nil),
		Limiter: bot.NewLocalLimiter(bot.LimitConfig{Rate: 30, ChatInterval: time.Second}),
		Lease:   2 * time.Second, BackoffBase: 20 * time.Millisecond, Idle: 20 * time.Millisecond,
	})
	runSenders(t, func() bool { return outboxStatus(t, db)["sent"] == chats*perChat }, s)
	deliveredOnce(t, srv, 7100, chats, perChat)
	var failures int
	db.QueryRow(`SELECT last_value FROM record_failures`).Scan(&failures)
	if failures < 3 {
		t.Fatalf("only %d records were attempted; the injected failures did not happen", failures)
	}
}

// One call that takes long does not hold up the outcomes of the other
// chats claimed with it, nor their next messages.
func TestSlowCallDoesNotHoldOtherChats(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	srv := telegramtest.New()
	defer srv.Close()
	slow := srv.User(7200)
	enqueue(t, db, storage.LaneReply, slow.ID(), "slow")
	const chats, perChat = 5, 2
	fill(srv, func(chat int64, text string) { enqueue(t, db, storage.LaneReply, chat, text) }, 7201, chats, perChat)
	srv.DelayChat(slow.ID(), 1, 8*time.Second)
	s := newSender(db, srv, bot.NewLocalLimiter(bot.LimitConfig{Rate: 30, ChatInterval: time.Second}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	others := func() int {
		var n int
		db.QueryRow(`SELECT count(*) FROM outbox WHERE chat_id <> $1 AND status = 'sent'`, slow.ID()).Scan(&n)
		return n
	}
	deadline := time.Now().Add(20 * time.Second)
	for others() < chats*perChat && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	var slowStatus string
	db.QueryRow(`SELECT status FROM outbox WHERE chat_id = $1`, slow.ID()).Scan(&slowStatus)
	if others() != chats*perChat || slowStatus != storage.OutboxSending {
		t.Fatalf("other chats: %d of %d recorded as sent while the slow call's message is %q; want all of them recorded while it is still sending",
			others(), chats*perChat, slowStatus)
	}
	deadline = time.Now().Add(20 * time.Second)
	for outboxStatus(t, db)["sent"] != chats*perChat+1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(srv.Messages(slow.ID())); n != 1 {
		t.Fatalf("slow chat got %d messages, want 1", n)
	}
}

// A revoked token (401) or a wrong endpoint (404) pauses sending: the
// messages stay pending, /readyz can say why, and they go out once
// Telegram takes the bot again.
func TestRefusedBotPausesSending(t *testing.T) {
	for _, status := range []int{401, 404} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			db, _ := storagetest.NewDatabase(t)
			srv := telegramtest.New()
			defer srv.Close()
			const chats = 5
			fill(srv, func(chat int64, text string) { enqueue(t, db, storage.LaneReply, chat, text) }, 7300, chats, 1)
			srv.FailAll(status)
			s := bot.NewSender(bot.SenderConfig{
				DB: db, Telegram: bot.NewClient(srv.Token(), srv.Endpoint(), nil),
				Limiter:     bot.NewLocalLimiter(bot.LimitConfig{Rate: 30, ChatInterval: time.Second}),
				BackoffBase: 5 * time.Millisecond, Idle: 10 * time.Millisecond, ProbeEvery: 100 * time.Millisecond,
				MaxAttempts: 2,
			})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { s.Run(ctx); close(done) }()
			defer func() { cancel(); <-done }()
			waitUntil(t, "sending to pause and getMe to be probed twice", func() bool {
				return s.Health() != nil && len(srv.Calls("getMe")) >= 2
			})
			// A call already in flight when sending paused hands its row
			// back once it returns: every row ends pending, none failed.
			waitUntil(t, "every message pending while Telegram refuses the bot", func() bool {
				st := outboxStatus(t, db)
				return st["pending"] == chats
			})
			var attempts int
			db.QueryRow(`SELECT coalesce(max(attempts), 0) FROM outbox`).Scan(&attempts)
			if attempts != 0 {
				t.Fatalf("a refused bot counted %d attempts against a message, want 0", attempts)
			}
			if n := len(srv.Calls("sendMessage")); n > chats {
				t.Fatalf("%d sendMessage calls while paused, want at most the first %d", n, chats)
			}
			srv.ClearFaults()
			waitUntil(t, "every message sent after recovery", func() bool { return outboxStatus(t, db)["sent"] == chats })
			if err := s.Health(); err != nil {
				t.Fatalf("Health after recovery: %v", err)
			}
		})
	}
}
