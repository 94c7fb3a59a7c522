package telegramtest

import (
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestSendEditCallbackRoundTrip(t *testing.T) {
	srv := start(t, WithLimits(Limits{TextLength: true, CallbackData: true, AnswerText: true, Entities: true}))
	bot := newBot(t, srv, 5*time.Second)
	ana := srv.User(42)
	ana.SendText("hi") // message 1 is the user's

	msg := tgbotapi.NewMessage(42, "<b>Comment allez-vous ?</b>")
	msg.ParseMode = tgbotapi.ModeHTML
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("Bien", "mood:good"),
		tgbotapi.NewInlineKeyboardButtonData("Mal", "mood:bad"),
	))
	sent, err := bot.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	if sent.MessageID != 2 || sent.Text != "Comment allez-vous ?" || sent.Chat.ID != 42 || sent.Date == 0 {
		t.Fatalf("sent = %+v", sent)
	}
	second, _ := bot.Send(tgbotapi.NewMessage(42, "encore"))
	if second.MessageID != 3 {
		t.Fatalf("second id = %d", second.MessageID)
	}

	cbID := ana.Press(sent.MessageID, "mood:good")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: 2})
	if err != nil || len(ups) != 1 {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	cq := ups[0].CallbackQuery
	if cq == nil || cq.ID != cbID || cq.Data != "mood:good" || cq.Message.MessageID != 2 ||
		cq.Message.Text != "Comment allez-vous ?" || len(cq.Message.ReplyMarkup.InlineKeyboard[0]) != 2 {
		t.Fatalf("callback = %+v", cq)
	}
	if got := srv.Unanswered(); len(got) != 1 || got[0] != cbID {
		t.Fatalf("unanswered = %v", got)
	}
	if _, err := bot.Request(tgbotapi.NewCallback(cq.ID, "Noté")); err != nil {
		t.Fatal(err)
	}
	_, err = bot.Request(tgbotapi.NewCallback(cq.ID, "again"))
	wantError(t, err, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
	if a := srv.CallbackAnswers(); len(a) != 1 || a[0].ID != cbID || a[0].Text != "Noté" || len(srv.Unanswered()) != 0 {
		t.Fatalf("answers = %+v", a)
	}

	edited, err := bot.Send(tgbotapi.NewEditMessageText(42, sent.MessageID, "Merci !"))
	if err != nil || edited.Text != "Merci !" || edited.EditDate == 0 {
		t.Fatalf("edit = %+v, %v", edited, err)
	}
	_, err = bot.Send(tgbotapi.NewEditMessageText(42, sent.MessageID, "Merci !"))
	wantError(t, err, 400, "Bad Request: "+notModified)
	_, err = bot.Send(tgbotapi.NewEditMessageText(42, 99, "x"))
	wantError(t, err, 400, "Bad Request: message to edit not found")

	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Annuler", "undo")))
	if _, err := bot.Send(tgbotapi.NewEditMessageReplyMarkup(42, sent.MessageID, kb)); err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Request(tgbotapi.NewDeleteMessage(42, second.MessageID)); err != nil {
		t.Fatal(err)
	}
	_, err = bot.Request(tgbotapi.NewDeleteMessage(42, second.MessageID))
	wantError(t, err, 400, "Bad Request: message to delete not found")

	msgs := ana.Messages()
	if len(msgs) != 2 {
		t.Fatalf("messages = %+v", msgs)
	}
	m := msgs[0]
	if m.Text != "Merci !" || m.Edits != 2 || m.Deleted || len(m.Buttons()) != 1 || m.Buttons()[0][0].Data != "undo" {
		t.Fatalf("edited message = %+v", m)
	}
	if !msgs[1].Deleted {
		t.Fatal("second message not marked deleted")
	}
	if srv.Sent() != 2 {
		t.Fatalf("sent = %d", srv.Sent())
	}
}

func TestPressOnUnknownMessage(t *testing.T) {
	srv := start(t)
	bot := newBot(t, srv, 5*time.Second)
	srv.User(1).Press(77, "stale")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 {
		t.Fatal(err)
	}
	if m := ups[0].CallbackQuery.Message; m == nil || m.MessageID != 77 || m.Date != 0 || m.Chat.ID != 1 {
		t.Fatalf("message = %+v", m)
	}
}

func TestChatErrors(t *testing.T) {
	srv := start(t)
	bot := newBot(t, srv, 5*time.Second)

	_, err := bot.Send(tgbotapi.NewMessage(555, "hello?"))
	wantError(t, err, 400, "Bad Request: chat not found")

	u := srv.User(1)
	id := u.Block()
	if id == 0 || u.Block() != 0 || !u.Blocked() {
		t.Fatal("Block did not report its update once")
	}
	_, err = bot.Send(tgbotapi.NewMessage(1, "x"))
	wantError(t, err, 403, "Forbidden: bot was blocked by the user")
	u.Unblock()
	if _, err := bot.Send(tgbotapi.NewMessage(1, "x")); err != nil {
		t.Fatalf("after Unblock: %v", err)
	}

	srv.Forbid(2)
	_, err = bot.Send(tgbotapi.NewMessage(2, "x"))
	wantError(t, err, 403, "Forbidden: bot was blocked by the user")

	v := srv.User(3)
	v.Deactivate()
	_, err = bot.Send(tgbotapi.NewMessage(3, "x"))
	wantError(t, err, 403, "Forbidden: user is deactivated")
}

func TestUploads(t *testing.T) {
	srv := start(t)
	bot := newBot(t, srv, 5*time.Second)
	srv.User(1)
	srv.User(2)
	photo := tgbotapi.NewPhoto(1, tgbotapi.FileBytes{Name: "chart.png", Bytes: []byte("\x89PNG....")})
	photo.Caption = "Votre semaine"
	sent, err := bot.Send(photo)
	if err != nil || len(sent.Photo) == 0 || sent.Caption != "Votre semaine" {
		t.Fatalf("photo = %+v, %v", sent, err)
	}
	doc, err := bot.Send(tgbotapi.NewDocument(2, tgbotapi.FileID("file-abc")))
	if err != nil || doc.Document == nil {
		t.Fatalf("document = %+v, %v", doc, err)
	}
	m, _ := srv.LastMessage(1)
	if m.Kind != "photo" || m.FileName != "chart.png" || m.Caption != "Votre semaine" {
		t.Fatalf("photo message = %+v", m)
	}
	c := srv.Calls("sendPhoto")
	if len(c) != 1 || len(c[0].Files) != 1 || c[0].Files[0].Name != "chart.png" || c[0].Files[0].Size != 8 {
		t.Fatalf("calls = %+v", c)
	}
	d, _ := srv.LastMessage(2)
	if d.Kind != "document" || d.FileRef != "file-abc" {
		t.Fatalf("document message = %+v", d)
	}
}

func TestCommandsPerLanguage(t *testing.T) {
	srv := start(t)
	bot := newBot(t, srv, 5*time.Second)
	fr := []tgbotapi.BotCommand{{Command: "start", Description: "Commencer"}, {Command: "aide", Description: "Aide"}}
	en := []tgbotapi.BotCommand{{Command: "start", Description: "Start"}}
	if _, err := bot.Request(tgbotapi.NewSetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeDefault(), "fr", fr...)); err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Request(tgbotapi.NewSetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeDefault(), "en", en...)); err != nil {
		t.Fatal(err)
	}
	if got := srv.Commands("fr"); len(got) != 2 || got[1].Command != "aide" {
		t.Fatalf("fr = %+v", got)
	}
	got, err := bot.GetMyCommandsWithConfig(tgbotapi.NewGetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeDefault(), "en"))
	if err != nil || len(got) != 1 || got[0].Description != "Start" {
		t.Fatalf("en = %+v, %v", got, err)
	}
	if got := srv.Commands(""); len(got) != 0 {
		t.Fatalf("no-language list = %+v", got)
	}
	_, err = bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "Bad Command", Description: "x"}))
	wantError(t, err, 400, "Bad Request: BOT_COMMAND_INVALID")
}

func TestWaitMessages(t *testing.T) {
	srv := start(t, WithLimits(Limits{}))
	bot := newBot(t, srv, 5*time.Second)
	srv.User(9)
	go func() {
		for i := range 3 {
			bot.Send(tgbotapi.NewMessage(9, "m"+string(rune('0'+i))))
		}
	}()
	msgs, err := srv.WaitMessages(timeoutCtx(t), 9, 3)
	if err != nil || len(msgs) != 3 || msgs[2].Text != "m2" {
		t.Fatalf("messages = %+v, %v", msgs, err)
	}
}
