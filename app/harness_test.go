package app_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"suivi/app"
	"suivi/bot/telegramtest"
	"suivi/storage/storagetest"
)

// world is one test's database, fake Telegram and configuration.
type world struct {
	t    *testing.T
	DB   *sql.DB
	DSN  string
	Fake *telegramtest.Server
	Cfg  app.Config
}

func newWorld(t *testing.T, fakeOpts ...telegramtest.Option) *world {
	t.Helper()
	db, dsn := storagetest.NewDatabase(t)
	fake := telegramtest.New(fakeOpts...)
	t.Cleanup(fake.Close)
	cfg, err := app.LoadConfig(func(name string) string {
		switch name {
		case "DATABASE_URL":
			return dsn
		case "TELEGRAM_BOT_TOKEN":
			return fake.Token()
		case "TELEGRAM_API_ENDPOINT":
			return fake.Endpoint()
		case "SUIVI_LOG_LEVEL":
			return os.Getenv("SUIVI_TEST_LOG_LEVEL")
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	// Alerts are stored as a text key and parameters, never as prose, in
	// every journey.
	t.Cleanup(func() {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM alerts WHERE message <> '' OR text_key = ''`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d alerts stored as prose or without a text key (%v)", n, err)
		}
	})
	return &world{t: t, DB: db, DSN: dsn, Fake: fake, Cfg: cfg}
}

// running is an App serving in the background.
type running struct {
	App    *app.App
	cancel context.CancelFunc
	done   chan error
}

func testLogger() *slog.Logger {
	if os.Getenv("SUIVI_TEST_LOG_LEVEL") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// start runs an App on cfg until the test ends or Stop is called.
func (w *world) start(cfg app.Config, opts app.Options) *running {
	w.t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger()
	}
	if opts.PollTimeout == 0 {
		opts.PollTimeout = time.Second
	}
	if opts.BackoffBase == 0 {
		opts.BackoffBase = 20 * time.Millisecond
	}
	if opts.Listener == nil {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			w.t.Fatal(err)
		}
		opts.Listener = l
	}
	a, err := app.New(context.Background(), cfg, opts)
	if err != nil {
		w.t.Fatalf("start app: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{App: a, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- a.Run(ctx) }()
	a.Addr()
	w.t.Cleanup(r.Stop)
	return r
}

// Stop shuts the App down gracefully and waits for it.
func (r *running) Stop() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	<-r.done
	r.App.Close()
	r.cancel = nil
}

// count runs a counting query.
func (w *world) count(query string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.DB.QueryRow(query, args...).Scan(&n); err != nil {
		w.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// eventually waits up to 10s for cond.
func (w *world) eventually(what string, cond func() bool) {
	w.t.Helper()
	w.within(10*time.Second, what, cond)
}

// within waits up to d for cond.
func (w *world) within(d time.Duration, what string, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (w *world) waitMessages(chatID int64, n int) []telegramtest.Message {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msgs, err := w.Fake.WaitMessages(ctx, chatID, n)
	if err != nil {
		w.t.Fatalf("waiting for %d messages in chat %d: %v (have %d)", n, chatID, err, len(w.Fake.Messages(chatID)))
	}
	return msgs
}
