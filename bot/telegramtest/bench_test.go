package telegramtest

import (
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func BenchmarkSendMessage(b *testing.B) {
	srv := start(b, WithLimits(Limits{TextLength: true, CallbackData: true}))
	bot := newBot(b, srv, 5*time.Second)
	for id := int64(1); id <= 100; id++ {
		srv.User(id)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if _, err := bot.Send(tgbotapi.NewMessage(int64(i%100+1), "Bonjour, comment allez-vous ?")); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}
