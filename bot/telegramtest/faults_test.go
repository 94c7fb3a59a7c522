package telegramtest

import (
	"errors"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestFailNext(t *testing.T) {
	srv := start(t, WithLimits(Limits{}))
	bot := newBot(t, srv, 5*time.Second)
	srv.User(1)
	srv.FailNext(2, 502)

	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{}); err != nil {
		t.Fatalf("getUpdates is exempt from FailNext: %v", err)
	}
	for range 2 {
		_, err := bot.Send(tgbotapi.NewMessage(1, "x"))
		wantError(t, err, 502, "Internal Server Error")
	}
	if _, err := bot.Send(tgbotapi.NewMessage(1, "x")); err != nil {
		t.Fatalf("third call: %v", err)
	}
	if srv.Sent() != 1 {
		t.Fatalf("sent = %d", srv.Sent())
	}

	srv.FailNextMethod("getUpdates", 1, 500)
	_, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	wantError(t, err, 500, "Internal Server Error")

	calls := srv.Calls("sendMessage")
	if len(calls) != 3 || calls[0].Status != 502 || calls[2].Status != 200 {
		t.Fatalf("calls = %+v", calls)
	}
}

func TestHangNextUntilClientTimeout(t *testing.T) {
	srv := start(t, WithLimits(Limits{}))
	bot := newBot(t, srv, 300*time.Millisecond)
	srv.User(1)
	srv.HangNext(1)

	begin := time.Now()
	_, err := bot.Send(tgbotapi.NewMessage(1, "x"))
	var e *tgbotapi.Error
	if err == nil || errors.As(err, &e) || time.Since(begin) < 250*time.Millisecond {
		t.Fatalf("want a client timeout, got %v after %v", err, time.Since(begin))
	}
	if _, err := bot.Send(tgbotapi.NewMessage(1, "x")); err != nil {
		t.Fatalf("next call: %v", err)
	}
	if err := srv.WaitFor(timeoutCtx(t), func() bool { return len(srv.Calls("sendMessage")) == 2 }); err != nil {
		t.Fatal(err)
	}
	if c := srv.Calls("sendMessage"); c[0].Status != 0 && c[1].Status != 0 {
		t.Fatalf("no call recorded as unanswered: %+v", c)
	}
}

func TestRetryAfterNext(t *testing.T) {
	srv := start(t, WithLimits(Limits{}))
	bot := newBot(t, srv, 5*time.Second)
	srv.User(1)
	srv.RetryAfterNext(1, 7)

	if _, err := bot.Request(tgbotapi.NewCallback("nope", "")); err == nil {
		t.Fatal("answerCallbackQuery must not take the injected 429")
	}
	_, err := bot.Send(tgbotapi.NewMessage(1, "x"))
	e := asAPIError(t, err)
	if e.Code != 429 || e.RetryAfter != 7 {
		t.Fatalf("error = %+v", e)
	}
	if srv.Count429() != 1 {
		t.Fatalf("Count429 = %d", srv.Count429())
	}
}
