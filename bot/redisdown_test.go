package bot_test

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/bot"
	"suivi/bot/telegramtest"
	"suivi/storage"
	"suivi/storage/storagetest"
)

// Redis gone: sending goes on at the local fallback rate and nothing is lost.
func TestSenderFallsBackWhenRedisIsDown(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	srv := telegramtest.New()
	defer srv.Close()
	gone := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 50 * time.Millisecond, MaxRetries: -1})
	defer gone.Close()
	lim := bot.NewRedisLimiter(bot.LimitConfig{Rate: 30, ChatInterval: time.Second}, gone, "x:", discard())
	for c := range 5 {
		u := srv.User(int64(6000 + c))
		enqueue(t, db, storage.LaneReply, u.ID(), "un", "deux")
	}
	s := newSender(db, srv, lim)
	runUntil(t, s, func() bool { return outboxStatus(t, db)["sent"] == 10 })
	if srv.Sent() != 10 || srv.Count429() != 0 {
		t.Fatalf("sent %d with %d 429s, want 10 and none", srv.Sent(), srv.Count429())
	}
}
