package telegramtest

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// start runs a server for the test's duration.
func start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	srv := New(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// newBot connects the real library to srv.
func newBot(t testing.TB, srv *Server, timeout time.Duration) *tgbotapi.BotAPI {
	t.Helper()
	bot, err := tgbotapi.NewBotAPIWithClient(srv.Token(), srv.Endpoint(), &http.Client{Timeout: timeout})
	if err != nil {
		t.Fatalf("connect bot: %v", err)
	}
	return bot
}

// asAPIError extracts the library's error, failing the test if err is another kind.
func asAPIError(t testing.TB, err error) *tgbotapi.Error {
	t.Helper()
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *tgbotapi.Error, got %v", err)
	}
	return e
}

// wantError checks err is an API error with code and description.
func wantError(t testing.TB, err error, code int, desc string) {
	t.Helper()
	e := asAPIError(t, err)
	if e.Code != code || e.Message != desc {
		t.Fatalf("error = %d %q, want %d %q", e.Code, e.Message, code, desc)
	}
}

func timeoutCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// fakeClock is a settable clock for WithClock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// pollerActive reports whether a getUpdates call is waiting (for tests).
func (s *Server) pollerActive() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.poller != nil
}
