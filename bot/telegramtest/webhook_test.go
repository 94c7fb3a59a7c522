package telegramtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// hookRecorder is the bot's webhook endpoint: it fails the first fail
// requests with 500 and records the rest.
type hookRecorder struct {
	mu      sync.Mutex
	fail    int
	secrets []string
	texts   []string
}

func (h *hookRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.secrets = append(h.secrets, r.Header.Get("X-Telegram-Bot-Api-Secret-Token"))
	if h.fail > 0 {
		h.fail--
		http.Error(w, "boom", http.StatusInternalServerError)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var u tgbotapi.Update
	if err := json.Unmarshal(body, &u); err != nil || u.Message == nil {
		http.Error(w, "bad update", http.StatusBadRequest)
		return
	}
	h.texts = append(h.texts, u.Message.Text)
}

func (h *hookRecorder) got() ([]string, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.texts...), append([]string(nil), h.secrets...)
}

func TestWebhookDeliveryWithSecretAndRetry(t *testing.T) {
	srv := start(t, WithWebhookBackoff(10*time.Millisecond))
	bot := newBot(t, srv, 5*time.Second)
	hook := &hookRecorder{fail: 2}
	hs := httptest.NewServer(hook)
	defer hs.Close()

	u := srv.User(3)
	u.SendText("before") // pending updates go out once the webhook is set
	_, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": hs.URL + "/hook", "secret_token": "s3cr3t_-X"})
	if err != nil {
		t.Fatal(err)
	}
	u.SendText("after")

	if err := srv.WaitFor(timeoutCtx(t), func() bool { texts, _ := hook.got(); return len(texts) == 2 }); err != nil {
		t.Fatal(err)
	}
	texts, secrets := hook.got()
	if texts[0] != "before" || texts[1] != "after" {
		t.Fatalf("delivered %q, want in order", texts)
	}
	for _, s := range secrets {
		if s != "s3cr3t_-X" {
			t.Fatalf("secret header = %q", s)
		}
	}
	d := srv.Deliveries()
	if len(d) != 4 || d[0].Status != 500 || d[1].Status != 500 || d[2].Status != 200 || d[0].UpdateID != d[2].UpdateID {
		t.Fatalf("deliveries = %+v", d)
	}
	if srv.PendingUpdates() != 0 {
		t.Fatalf("pending = %d", srv.PendingUpdates())
	}

	info, err := bot.GetWebhookInfo()
	if err != nil || info.URL != hs.URL+"/hook" || info.LastErrorMessage == "" || info.MaxConnections != 40 {
		t.Fatalf("info = %+v, %v", info, err)
	}
	_, err = bot.GetUpdates(tgbotapi.UpdateConfig{})
	wantError(t, err, 409, errWebhookActive.desc)

	if _, err := bot.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		t.Fatal(err)
	}
	u.SendText("polled")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 || ups[0].Message.Text != "polled" {
		t.Fatalf("after deleteWebhook: %+v, %v", ups, err)
	}
}

func TestWebhookNetworkErrorKeepsUpdate(t *testing.T) {
	srv := start(t, WithWebhookBackoff(5*time.Millisecond))
	bot := newBot(t, srv, 5*time.Second)
	hs := httptest.NewServer(http.NotFoundHandler())
	dead := hs.URL
	hs.Close()
	if _, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": dead}); err != nil {
		t.Fatal(err)
	}
	srv.User(1).SendText("x")
	if err := srv.WaitFor(timeoutCtx(t), func() bool { return len(srv.Deliveries()) >= 3 }); err != nil {
		t.Fatal(err)
	}
	if srv.PendingUpdates() != 1 || srv.Deliveries()[0].Err == "" {
		t.Fatalf("pending %d, deliveries %+v", srv.PendingUpdates(), srv.Deliveries()[0])
	}
	if _, err := bot.Request(tgbotapi.DeleteWebhookConfig{DropPendingUpdates: true}); err != nil {
		t.Fatal(err)
	}
	if srv.PendingUpdates() != 0 {
		t.Fatal("drop_pending_updates kept updates")
	}
}

func TestSetWebhookRejectsBadSecret(t *testing.T) {
	srv := start(t)
	bot := newBot(t, srv, 5*time.Second)
	_, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": "http://127.0.0.1:1/x", "secret_token": "no spaces"})
	wantError(t, err, 400, "Bad Request: secret token contains unallowed characters")
}
