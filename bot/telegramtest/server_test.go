package telegramtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestGetMe(t *testing.T) {
	srv := start(t)
	bot := newBot(t, srv, 5*time.Second)
	if !bot.Self.IsBot || bot.Self.UserName != DefaultBotUsername || bot.Self.ID != 123456 {
		t.Fatalf("getMe = %+v", bot.Self)
	}
	if got := srv.Calls("getMe"); len(got) != 1 || got[0].Status != http.StatusOK {
		t.Fatalf("calls = %+v", got)
	}
}

func TestWrongTokenIsUnauthorized(t *testing.T) {
	srv := start(t)
	_, err := tgbotapi.NewBotAPIWithClient("999:WRONG", srv.Endpoint(), &http.Client{Timeout: 5 * time.Second})
	wantError(t, err, 401, "Unauthorized")
}

func TestUnknownMethod(t *testing.T) {
	srv := start(t)
	bot := newBot(t, srv, 5*time.Second)
	_, err := bot.MakeRequest("sendTeleport", tgbotapi.Params{"chat_id": "1"})
	wantError(t, err, 400, "Bad Request: method not found")
}

func TestErrorBodyShape(t *testing.T) {
	srv := start(t)
	srv.RetryAfterNext(1, 3)
	srv.User(1)
	resp, err := http.Post(srv.URL()+"/bot"+srv.Token()+"/sendMessage", "application/json",
		strings.NewReader(`{"chat_id":1,"text":"hi"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}`
	if resp.StatusCode != 429 || string(body) != want {
		t.Fatalf("got %d %s, want 429 %s", resp.StatusCode, body, want)
	}
}

func TestJSONBodyAndMethodCase(t *testing.T) {
	srv := start(t)
	srv.User(7)
	resp, err := http.Post(srv.URL()+"/bot"+srv.Token()+"/SENDMESSAGE", "application/json",
		strings.NewReader(`{"chat_id":7,"text":"hello","reply_markup":{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		OK     bool             `json:"ok"`
		Result tgbotapi.Message `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || !out.OK {
		t.Fatalf("decode: %v %+v", err, out)
	}
	if out.Result.Text != "hello" || out.Result.Chat.ID != 7 || out.Result.ReplyMarkup == nil {
		t.Fatalf("result = %+v", out.Result)
	}
	m, _ := srv.LastMessage(7)
	if b := m.Buttons(); len(b) != 1 || b[0][0] != (Button{Text: "A", Data: "a"}) {
		t.Fatalf("buttons = %+v", b)
	}
	if c := srv.Calls("sendMessage"); len(c) != 1 || c[0].Params["chat_id"] != "7" {
		t.Fatalf("calls = %+v", c)
	}
}

func TestCloseUnblocksPendingCalls(t *testing.T) {
	srv := New()
	bot := newBot(t, srv, 0)
	srv.HangNext(1)
	srv.User(1)
	done := make(chan error, 2)
	go func() {
		_, err := bot.Send(tgbotapi.NewMessage(1, "x"))
		done <- err
	}()
	go func() {
		_, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 30})
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(3 * time.Second):
		t.Fatal("Close blocked")
	}
	for range 2 {
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			t.Fatal("a call stayed blocked after Close")
		}
	}
	srv.Close() // twice is fine
}
