package bot

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// SecretHeader carries the webhook's secret token on every Telegram request.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// maxUpdateBody bounds a webhook request; real updates are a few kilobytes.
const maxUpdateBody = 1 << 20

// Webhook receives updates pushed by Telegram. It answers 2xx only after
// the update's transaction committed and 5xx when it could not store it, so
// Telegram retries; each failure is counted in the database, and at the
// handler's last attempt the update becomes a dead letter and is answered 2xx
// so that Telegram delivers the updates behind it.
type Webhook struct {
	Secret        string
	Handler       UpdateHandler
	Logger        *slog.Logger
	HandleTimeout time.Duration
}

func (w *Webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(rw, "POST only", http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get(SecretHeader)
	if w.Secret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(w.Secret)) != 1 {
		http.Error(rw, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, maxUpdateBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		http.Error(rw, "update too large", http.StatusBadRequest)
		return
	}
	if err != nil {
		http.Error(rw, "cannot read body", http.StatusBadRequest)
		return
	}
	var upd tgbotapi.Update
	if err := json.Unmarshal(body, &upd); err != nil || upd.UpdateID <= 0 {
		http.Error(rw, "malformed update", http.StatusBadRequest)
		return
	}
	timeout := w.HandleTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	// Telegram hanging up must not abort a commit half-way.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), timeout)
	defer cancel()
	if err := w.Handler.HandleUpdate(ctx, upd); err != nil {
		if w.Logger != nil {
			w.Logger.Error("webhook update not stored", "update_id", upd.UpdateID, "err", err)
		}
		dead, ferr := w.Handler.Failed(ctx, upd, body, err)
		if ferr != nil && w.Logger != nil {
			w.Logger.Error("count a failed update", "update_id", upd.UpdateID, "err", ferr)
		}
		if !dead {
			http.Error(rw, "not stored, retry", http.StatusInternalServerError)
			return
		}
	}
	rw.WriteHeader(http.StatusOK)
}

// SetWebhook registers url with Telegram with a secret token (the library
// knows no secret_token, so the call is made by hand).
func SetWebhook(ctx context.Context, tg Telegram, url, secret string) error {
	_, err := tg.Call(ctx, "setWebhook", map[string]string{
		"url":             url,
		"secret_token":    secret,
		"max_connections": "40",
		"allowed_updates": `["message","edited_message","callback_query","my_chat_member"]`,
	})
	return err
}

// DeleteWebhook switches Telegram back to getUpdates, keeping pending updates.
func DeleteWebhook(ctx context.Context, tg Telegram) error {
	_, err := tg.Call(ctx, "deleteWebhook", map[string]string{"drop_pending_updates": "false"})
	return err
}
