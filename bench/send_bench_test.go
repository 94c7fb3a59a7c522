package bench

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/lib/pq"

	"suivi/bot"
	"suivi/bot/telegramtest"
	"suivi/internal/cpuhog"
	"suivi/storage/storagetest"
)

// fillOutbox queues perChat bulk messages to each of chats chats in one
// statement, with the fake knowing every chat.
func fillOutbox(b *testing.B, db *sql.DB, fake *telegramtest.Server, chats, perChat int) {
	b.Helper()
	ids := make([]int64, 0, chats)
	for c := range chats {
		u := fake.User(int64(100000 + c))
		ids = append(ids, u.ID())
	}
	_, err := db.Exec(`
		INSERT INTO outbox (chat_id, lane, method, params)
		SELECT chat, 1, 'sendMessage', jsonb_build_object('chat_id', chat::text, 'text', 'message ' || n)
		FROM generate_series(1, $2::int) AS n, unnest($1::bigint[]) AS chat
		ORDER BY n, chat`, pq.Array(ids), perChat)
	if err != nil {
		b.Fatal(err)
	}
}

// drain runs a sender until the fake accepted want messages.
func drain(b *testing.B, s *bot.Sender, fake *telegramtest.Server, want int) time.Duration {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	start := time.Now()
	go func() { s.Run(ctx); close(done) }()
	for fake.Sent() < want {
		if time.Since(start) > 10*time.Minute {
			b.Fatalf("only %d of %d messages sent after 10 minutes", fake.Sent(), want)
		}
		time.Sleep(2 * time.Millisecond)
	}
	elapsed := time.Since(start)
	cancel()
	<-done
	return elapsed
}

// BenchmarkSendLimited sends 3,000 messages to 1,000 chats with Telegram's
// limits on (30/s in all, 1/s per chat) through Redis-shared pacing.
func BenchmarkSendLimited(b *testing.B) {
	sendLimited(b, benchSendChats(), "")
}

// BenchmarkSendUnderCPULoad is the same run, shorter (900 messages to 300
// chats), beside processes that keep every core busy, as other work on a
// crowded machine would: pacing must still never draw a 429.
func BenchmarkSendUnderCPULoad(b *testing.B) {
	cpuhog.Start(b)
	sendLimited(b, 300, " under CPU load")
}

func sendLimited(b *testing.B, chats int, label string) {
	db, _ := storagetest.NewDatabase(b)
	rdb, prefix := storagetest.NewRedis(b)
	fake := telegramtest.New()
	defer fake.Close()
	perChat, limit := 3, 30.0
	fillOutbox(b, db, fake, chats, perChat)
	s := bot.NewSender(bot.SenderConfig{
		DB: db, Telegram: bot.NewClient(fake.Token(), fake.Endpoint(), nil),
		Limiter: bot.NewRedisLimiter(bot.LimitConfig{Rate: limit, ChatInterval: time.Second}, rdb, prefix, discard()),
	})
	b.ResetTimer()
	elapsed := drain(b, s, fake, chats*perChat)
	rate := float64(chats*perChat) / elapsed.Seconds()
	b.ReportMetric(rate, "msgs/s")
	fmt.Printf("send efficiency%s: %.1f %% (%.2f msgs/s of a %.0f/s limit, %d messages to %d chats in %.1f s)\n",
		label, 100*rate/limit, rate, limit, chats*perChat, chats, elapsed.Seconds())
	fmt.Printf("429 responses%s: %d\n", label, fake.Count429())
}

// BenchmarkSendUnlimited measures what the sender sustains with limits off.
func BenchmarkSendUnlimited(b *testing.B) {
	db, _ := storagetest.NewDatabase(b)
	fake := telegramtest.New(telegramtest.WithLimits(telegramtest.Limits{}))
	defer fake.Close()
	const chats, perChat = 10000, 2
	fillOutbox(b, db, fake, chats, perChat)
	s := bot.NewSender(bot.SenderConfig{DB: db, Telegram: bot.NewClient(fake.Token(), fake.Endpoint(), nil), Loops: 4})
	b.ResetTimer()
	elapsed := drain(b, s, fake, chats*perChat)
	rate := float64(chats*perChat) / elapsed.Seconds()
	b.ReportMetric(rate, "msgs/s")
	fmt.Printf("send rate unlimited: %.0f msgs/s (%d messages to %d chats in %.2f s)\n", rate, chats*perChat, chats, elapsed.Seconds())
}

// benchSendChats is 1,000 unless SUIVI_BENCH_SEND_CHATS says otherwise (for
// a quicker run while tuning).
func benchSendChats() int {
	if n, err := strconv.Atoi(os.Getenv("SUIVI_BENCH_SEND_CHATS")); err == nil && n > 0 {
		return n
	}
	return 1000
}
