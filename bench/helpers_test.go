package bench

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"suivi/app"
	"suivi/bot/telegramtest"
)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// serveApp runs Suivi in this process against database dsn and the fake
// Telegram, with extra settings, until the benchmark ends.
func serveApp(b *testing.B, dsn string, fake *telegramtest.Server, extra map[string]string) *app.App {
	b.Helper()
	env := map[string]string{"DATABASE_URL": dsn, "TELEGRAM_BOT_TOKEN": fake.Token(), "TELEGRAM_API_ENDPOINT": fake.Endpoint()}
	for k, v := range extra {
		env[k] = v
	}
	cfg, err := app.LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		b.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, app.Options{Logger: discard(), Listener: l, PollTimeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done; a.Close() })
	a.Addr()
	return a
}
