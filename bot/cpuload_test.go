package bot_test

import (
	"testing"
	"time"

	"suivi/bot"
	"suivi/bot/telegramtest"
	"suivi/internal/cpuhog"
	"suivi/storage"
	"suivi/storage/storagetest"
)

// A sending burst at the full rate beside a CPU hog: sends that wake late
// are not followed at once by the next, so Telegram never answers 429.
func TestPacingHoldsUnderCPULoad(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	rdb, prefix := storagetest.NewRedis(t)
	srv := telegramtest.New()
	defer srv.Close()
	const chats, perChat = 60, 2
	for c := range chats {
		u := srv.User(int64(7400 + c))
		for range perChat {
			enqueue(t, db, storage.LaneBulk, u.ID(), "message")
		}
	}
	cpuhog.Start(t)
	lim := bot.NewRedisLimiter(bot.LimitConfig{Rate: 30, ChatInterval: time.Second}, rdb, prefix, discard())
	runUntil(t, newSender(db, srv, lim), func() bool { return outboxStatus(t, db)["sent"] == chats*perChat })
	if n := srv.Count429(); n != 0 {
		dump429(t, srv)
		t.Fatalf("fake answered 429 %d times under CPU load, want none", n)
	}
	if srv.Sent() != chats*perChat {
		t.Fatalf("fake accepted %d, want %d", srv.Sent(), chats*perChat)
	}
}
