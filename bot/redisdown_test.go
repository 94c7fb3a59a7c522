package bot_test

import (
	"net"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/bot"
	"suivi/bot/telegramtest"
	"suivi/storage"
	"suivi/storage/storagetest"
)

// productionRedis builds the client the way app.openRedis does: the URL
// parsed, nothing tuned.
func productionRedis(t *testing.T, addr string) *redis.Client {
	t.Helper()
	c, err := storage.NewRedis("redis://" + addr + "/0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// refusingRedis is an address where nothing listens.
func refusingRedis(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// hungRedis accepts connections and never answers.
func hungRedis(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan net.Conn, 1000)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns <- c // held open, never read nor answered
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for len(conns) > 0 {
			(<-conns).Close()
		}
	})
	return l.Addr().String()
}

// Redis refusing connections or hung: sending goes on at the documented
// fallback rate (the default share of 30/s, 7.5/s) and nothing is lost.
func TestSenderFallbackRateWhenRedisFails(t *testing.T) {
	for name, addr := range map[string]func(*testing.T) string{"refusing": refusingRedis, "hung": hungRedis} {
		t.Run(name, func(t *testing.T) {
			db, _ := storagetest.NewDatabase(t)
			srv := telegramtest.New()
			defer srv.Close()
			const chats = 30
			for c := range chats {
				u := srv.User(int64(6000 + c))
				enqueue(t, db, storage.LaneBulk, u.ID(), "un")
			}
			lc := bot.LimitConfig{Rate: 30, ChatInterval: time.Second}
			lim := bot.NewRedisLimiter(lc, productionRedis(t, addr(t)), "x:", discard())
			s := newSender(db, srv, lim)
			runUntil(t, s, func() bool { return outboxStatus(t, db)["sent"] == chats })
			if srv.Sent() != chats || srv.Count429() != 0 {
				t.Fatalf("sent %d with %d 429s, want %d and none", srv.Sent(), srv.Count429(), chats)
			}
			calls := srv.Calls("sendMessage")
			rate := float64(len(calls)-1) / calls[len(calls)-1].Time.Sub(calls[0].Time).Seconds()
			want := 30 * bot.DefaultFallbackShare
			if rate < 0.8*want || rate > 1.2*want {
				t.Fatalf("sent at %.2f/s with Redis %s, want the fallback %.2f/s within 20%%", rate, name, want)
			}
			t.Logf("Redis %s: %.2f msgs/s (fallback %.2f/s)", name, rate, want)
		})
	}
}
