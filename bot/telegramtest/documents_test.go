package telegramtest

import (
	"bytes"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// A document the bot uploads can be downloaded whole; one sent by URL is
// a message without content.
func TestDocumentUpload(t *testing.T) {
	l := AllLimits()
	l.PerChatRate = false
	srv := start(t, WithLimits(l))
	bot := newBot(t, srv, 5*time.Second)
	u := srv.User(42)
	content := bytes.Repeat([]byte("figures;"), 1000)
	doc := tgbotapi.NewDocument(u.ID(), tgbotapi.FileBytes{Name: "report.xlsx", Bytes: content})
	doc.Caption = "Report"
	sent, err := bot.Send(doc)
	if err != nil {
		t.Fatalf("sendDocument: %v", err)
	}
	if sent.Document == nil || sent.Document.FileName != "report.xlsx" {
		t.Fatalf("sendDocument answered %+v", sent.Document)
	}
	got, ok := srv.Document(u.ID(), sent.MessageID)
	if !ok || got.FileName != "report.xlsx" || !bytes.Equal(got.Data, content) ||
		got.MimeType != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("Document = %q %q %d bytes, %v; want report.xlsx with its %d bytes", got.FileName, got.MimeType, len(got.Data), ok, len(content))
	}
	if m, _ := srv.LastMessage(u.ID()); m.Kind != "document" || m.PlainText != "Report" {
		t.Fatalf("the chat shows %+v", m)
	}

	byURL, err := bot.Send(tgbotapi.NewDocument(u.ID(), tgbotapi.FileURL("https://example.org/factsheet.pdf")))
	if err != nil {
		t.Fatalf("sendDocument by URL: %v", err)
	}
	if _, ok := srv.Document(u.ID(), byURL.MessageID); ok {
		t.Fatal("a document sent by URL has content in the fake")
	}
	if _, ok := srv.Document(u.ID(), 999); ok {
		t.Fatal("an unknown message is a document")
	}
}
