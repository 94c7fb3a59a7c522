package telegramtest

import (
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestPerChatRateLimit(t *testing.T) {
	clock := newClock()
	srv := start(t, WithClock(clock.now))
	bot := newBot(t, srv, 5*time.Second)
	srv.User(1)

	if _, err := bot.Send(tgbotapi.NewMessage(1, "one")); err != nil {
		t.Fatal(err)
	}
	clock.advance(300 * time.Millisecond)
	_, err := bot.Send(tgbotapi.NewMessage(1, "two"))
	e := asAPIError(t, err)
	if e.Code != 429 || e.RetryAfter != 1 || e.Message != "Too Many Requests: retry after 1" {
		t.Fatalf("error = %+v", e)
	}
	clock.advance(700 * time.Millisecond)
	if _, err := bot.Send(tgbotapi.NewMessage(1, "two")); err != nil {
		t.Fatalf("after a second: %v", err)
	}
	if srv.Count429() != 1 || srv.Sent() != 2 {
		t.Fatalf("429s %d, sent %d", srv.Count429(), srv.Sent())
	}
}

func TestGlobalRateLimit(t *testing.T) {
	clock := newClock()
	srv := start(t, WithClock(clock.now))
	bot := newBot(t, srv, 5*time.Second)
	for id := int64(1); id <= 31; id++ {
		srv.User(id)
	}
	for id := int64(1); id <= 30; id++ {
		if _, err := bot.Send(tgbotapi.NewMessage(id, "hi")); err != nil {
			t.Fatalf("message %d: %v", id, err)
		}
		clock.advance(10 * time.Millisecond)
	}
	_, err := bot.Send(tgbotapi.NewMessage(31, "hi"))
	if e := asAPIError(t, err); e.Code != 429 || e.RetryAfter < 1 {
		t.Fatalf("31st message: %+v", e)
	}
	clock.advance(705 * time.Millisecond) // only the first send has left the window
	if _, err := bot.Send(tgbotapi.NewMessage(31, "hi")); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	_, err = bot.Send(tgbotapi.NewMessage(1, "again"))
	if e := asAPIError(t, err); e.Code != 429 {
		t.Fatalf("window must still be full: %+v", e)
	}
}

func TestNoRateLimitWhenOff(t *testing.T) {
	srv := start(t)
	l := srv.Limits()
	l.PerChatRate, l.GlobalRate = false, false
	srv.SetLimits(l)
	bot := newBot(t, srv, 5*time.Second)
	for id := int64(1); id <= 5; id++ {
		srv.User(id)
	}
	for i := range 50 {
		if _, err := bot.Send(tgbotapi.NewMessage(int64(i%5+1), "hi")); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	if srv.Count429() != 0 || srv.Sent() != 50 {
		t.Fatalf("429s %d, sent %d", srv.Count429(), srv.Sent())
	}
}

func TestTextAndButtonLimits(t *testing.T) {
	clock := newClock()
	srv := start(t, WithClock(clock.now))
	bot := newBot(t, srv, 5*time.Second)
	srv.User(1)
	send := func(m tgbotapi.MessageConfig) error {
		clock.advance(time.Second)
		_, err := bot.Send(m)
		return err
	}

	wantError(t, send(tgbotapi.NewMessage(1, strings.Repeat("é", 4097))), 400, "Bad Request: message is too long")
	if err := send(tgbotapi.NewMessage(1, strings.Repeat("é", 4096))); err != nil {
		t.Fatalf("4096 characters: %v", err)
	}
	wantError(t, send(tgbotapi.NewMessage(1, "  \n ")), 400, "Bad Request: message text is empty")
	wantError(t, send(tgbotapi.NewMessage(1, "")), 400, "Bad Request: message text is empty")

	long := tgbotapi.NewMessage(1, "pick")
	long.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("x", strings.Repeat("d", 65))))
	wantError(t, send(long), 400, "Bad Request: BUTTON_DATA_INVALID")
	ok := tgbotapi.NewMessage(1, "pick")
	ok.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("x", strings.Repeat("d", 64))))
	if err := send(ok); err != nil {
		t.Fatalf("64-byte data: %v", err)
	}

	bad := tgbotapi.NewMessage(1, "a < b")
	bad.ParseMode = tgbotapi.ModeHTML
	e := asAPIError(t, send(bad))
	if e.Code != 400 || !strings.HasPrefix(e.Message, "Bad Request: can't parse entities: ") {
		t.Fatalf("html error = %+v", e)
	}

	srv.SetLimits(Limits{})
	if err := send(long); err != nil {
		t.Fatalf("limits off: %v", err)
	}
	if err := send(tgbotapi.NewMessage(1, strings.Repeat("x", 5000))); err != nil {
		t.Fatalf("limits off: %v", err)
	}
}

func TestCallbackAnswerLength(t *testing.T) {
	srv := start(t)
	bot := newBot(t, srv, 5*time.Second)
	id := srv.User(1).Press(1, "x")
	_, err := bot.Request(tgbotapi.NewCallback(id, strings.Repeat("a", 201)))
	wantError(t, err, 400, "Bad Request: MESSAGE_TOO_LONG")
	if _, err := bot.Request(tgbotapi.NewCallback(id, strings.Repeat("a", 200))); err != nil {
		t.Fatal(err)
	}
}
