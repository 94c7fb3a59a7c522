package sandbox

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/app"
	"suivi/bot/telegramtest"
)

// A document the bot uploads to the manager shows in the page as a link
// that downloads it, through the fake Bot API.
func TestDocumentLink(t *testing.T) {
	f := telegramtest.New()
	defer f.Close()
	manager := demoStaff[2]
	f.User(manager.TelegramID)
	bot, err := tgbotapi.NewBotAPIWithClient(f.Token(), f.Endpoint(), &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("%PDF-1.4 factsheet")
	sent, err := bot.Send(tgbotapi.NewDocument(manager.TelegramID, tgbotapi.FileBytes{Name: "factsheet-2026-q3.pdf", Bytes: content}))
	if err != nil {
		t.Fatalf("sendDocument: %v", err)
	}
	s := &Sandbox{cfg: app.Config{Timezone: time.UTC}, fake: f, clock: NewClock(0), people: People{Staff: []Person{manager}}}
	v := s.chatView(f, manager, nil)
	if len(v.Messages) != 1 || v.Messages[0].Document == nil || v.Messages[0].Document.Name != "factsheet-2026-q3.pdf" {
		t.Fatalf("the manager's chat shows %+v", v.Messages)
	}
	link := v.Messages[0].Document.URL
	if !strings.HasPrefix(link, "/sandbox/documents/7003/") {
		t.Fatalf("document link %q", link)
	}
	mux := http.NewServeMux()
	s.routes(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", link, nil))
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), content) ||
		rec.Header().Get("Content-Type") != "application/pdf" ||
		!strings.Contains(rec.Header().Get("Content-Disposition"), `filename="factsheet-2026-q3.pdf"`) {
		t.Fatalf("download: %d %q %v", rec.Code, rec.Body.String(), rec.Header())
	}
	if sent.MessageID != v.Messages[0].ID {
		t.Fatalf("message id %d in the page, %d sent", v.Messages[0].ID, sent.MessageID)
	}
}
