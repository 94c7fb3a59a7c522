package telegramtest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestLongPollReturnsWhenUpdateArrives(t *testing.T) {
	srv := start(t)
	bot := newBot(t, srv, 10*time.Second)
	ana := srv.User(42, FirstName("Ana"))

	type result struct {
		updates []tgbotapi.Update
		err     error
	}
	got := make(chan result, 1)
	begin := time.Now()
	go func() {
		u, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 5})
		got <- result{u, err}
	}()
	time.Sleep(50 * time.Millisecond)
	ana.SendText("bonjour")

	r := <-got
	if r.err != nil {
		t.Fatal(r.err)
	}
	if d := time.Since(begin); d > 2*time.Second {
		t.Fatalf("long poll took %v after the update", d)
	}
	if len(r.updates) != 1 || r.updates[0].Message.Text != "bonjour" ||
		r.updates[0].Message.From.FirstName != "Ana" || r.updates[0].Message.From.LanguageCode != "fr" {
		t.Fatalf("updates = %+v", r.updates)
	}
}

func TestLongPollTimesOutEmpty(t *testing.T) {
	srv := start(t)
	bot := newBot(t, srv, 10*time.Second)
	begin := time.Now()
	updates, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(begin); len(updates) != 0 || d < 900*time.Millisecond || d > 3*time.Second {
		t.Fatalf("got %d updates after %v, want none after ~1s", len(updates), d)
	}
}

func TestOffsetConfirms(t *testing.T) {
	srv := start(t)
	bot := newBot(t, srv, 5*time.Second)
	u := srv.User(1)
	for _, text := range []string{"a", "b", "c"} {
		u.SendText(text)
	}

	first, err := bot.GetUpdates(tgbotapi.UpdateConfig{Limit: 2})
	if err != nil || len(first) != 2 || first[0].Message.Text != "a" {
		t.Fatalf("first = %+v, %v", first, err)
	}
	again, _ := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if len(again) != 3 {
		t.Fatalf("unconfirmed updates must come back: got %d", len(again))
	}
	rest, _ := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: first[1].UpdateID + 1})
	if len(rest) != 1 || rest[0].Message.Text != "c" {
		t.Fatalf("rest = %+v", rest)
	}
	if n := srv.PendingUpdates(); n != 1 {
		t.Fatalf("pending = %d, want 1", n)
	}
	none, _ := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: rest[0].UpdateID + 1})
	if len(none) != 0 || srv.PendingUpdates() != 0 {
		t.Fatalf("after confirming all: %d updates, %d pending", len(none), srv.PendingUpdates())
	}
}

func TestSecondPollerTerminatesFirst(t *testing.T) {
	srv := start(t)
	bot := newBot(t, srv, 10*time.Second)
	older := make(chan error, 1)
	go func() {
		_, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 5})
		older <- err
	}()
	if err := srv.WaitFor(timeoutCtx(t), func() bool { return srv.pollerActive() }); err != nil {
		t.Fatal(err)
	}
	newer := make(chan error, 1)
	go func() {
		_, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 1})
		newer <- err
	}()
	err := <-older
	e := asAPIError(t, err)
	if e.Code != 409 || e.Message != errTerminated.desc {
		t.Fatalf("older poll: %d %q", e.Code, e.Message)
	}
	if err := <-newer; err != nil {
		t.Fatalf("newer poll: %v", err)
	}
}

func TestUserUpdates(t *testing.T) {
	srv := start(t)
	bot := newBot(t, srv, 5*time.Second)
	u := srv.User(5, Language("en"), Username("zoe"))
	cmd := u.SendCommand("start", "TOKEN_1")
	u.SendSticker()
	u.SendPhoto("look")
	u.SendVoice()
	u.SendLocation(48.85, 2.35)
	u.SendDocument("report.pdf")
	u.EditText(cmd, "/start OTHER")
	u.Block()
	u.Unblock()
	if _, err := srv.InjectUpdate(json.RawMessage(`{"update_id":999,"poll":{"id":"x"}}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.InjectUpdate(json.RawMessage(`not json`)); err == nil {
		t.Fatal("InjectUpdate accepted a non-object")
	}

	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 10 {
		t.Fatalf("got %d updates, want 10", len(ups))
	}
	for i, up := range ups {
		if up.UpdateID != i+1 {
			t.Fatalf("update %d has id %d", i, up.UpdateID)
		}
	}
	m := ups[0].Message
	if !m.IsCommand() || m.Command() != "start" || m.CommandArguments() != "TOKEN_1" || m.From.UserName != "zoe" {
		t.Fatalf("command message = %+v", m)
	}
	if ups[1].Message.Sticker == nil || ups[1].Message.Sticker.FileID == "" {
		t.Fatal("no sticker")
	}
	if len(ups[2].Message.Photo) == 0 || ups[2].Message.Caption != "look" {
		t.Fatal("no photo")
	}
	if ups[3].Message.Voice == nil || ups[4].Message.Location == nil || ups[4].Message.Location.Latitude != 48.85 {
		t.Fatal("no voice or location")
	}
	if d := ups[5].Message.Document; d == nil || d.FileName != "report.pdf" || d.MimeType != "application/pdf" {
		t.Fatalf("document = %+v", d)
	}
	if e := ups[6].EditedMessage; e == nil || e.MessageID != cmd || e.Text != "/start OTHER" || e.EditDate == 0 {
		t.Fatalf("edited = %+v", e)
	}
	if mc := ups[7].MyChatMember; mc == nil || mc.OldChatMember.Status != "member" || mc.NewChatMember.Status != "kicked" {
		t.Fatalf("block = %+v", mc)
	}
	if mc := ups[8].MyChatMember; mc == nil || mc.NewChatMember.Status != "member" {
		t.Fatalf("unblock = %+v", mc)
	}
	if ups[9].UpdateID != 10 {
		t.Fatalf("injected update id = %d", ups[9].UpdateID)
	}
}

func TestAllowedUpdatesFilter(t *testing.T) {
	srv := start(t)
	bot := newBot(t, srv, 5*time.Second)
	u := srv.User(1)
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{AllowedUpdates: []string{"callback_query"}}); err != nil {
		t.Fatal(err)
	}
	u.SendText("ignored")
	u.Press(1, "x")
	ups, _ := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if len(ups) != 1 || ups[0].CallbackQuery == nil {
		t.Fatalf("updates = %+v", ups)
	}
}

func TestPollHonoursCancellation(t *testing.T) {
	srv := start(t)
	bot := newBot(t, srv, 200*time.Millisecond)
	_, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 5})
	var e *tgbotapi.Error
	if err == nil || errors.As(err, &e) {
		t.Fatalf("want a client timeout, got %v", err)
	}
	if err := srv.WaitFor(timeoutCtx(t), func() bool { return !srv.pollerActive() }); err != nil {
		t.Fatal("the cancelled poll is still active")
	}
}
