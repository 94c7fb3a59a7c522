package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"suivi/app"
	"suivi/storage"
)

// lockedBuffer collects log output written from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A Bot API that answers getMe and then drops every other call: each path
// (setMyCommands, deleteWebhook or setWebhook, getUpdates, sendMessage)
// fails with the request URL, and so the token, in the library's error. None
// of it may reach the logs or the error serve returns.
func TestTokenNeverReachesTheLogs(t *testing.T) {
	const token = "777777:LOG-token-secret"
	var mu sync.Mutex
	seen := map[string]int{}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		mu.Lock()
		seen[method]++
		mu.Unlock()
		if method == "getMe" {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"S","username":"suivi_test_bot"}}`))
			return
		}
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	}))
	defer api.Close()
	calls := func(method string) int {
		mu.Lock()
		defer mu.Unlock()
		return seen[method]
	}

	for _, mode := range []string{"polling", "webhook"} {
		t.Run(mode, func(t *testing.T) {
			w := newWorld(t)
			cfg := w.Cfg
			cfg.BotToken = token
			cfg.APIEndpoint = api.URL + "/bot%s/%s"
			var logs lockedBuffer
			opts := app.Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
				Listener: listen(t, "127.0.0.1:0"), PollTimeout: time.Second, BackoffBase: 20 * time.Millisecond}
			if mode == "webhook" {
				cfg.WebhookURL = "http://" + opts.Listener.Addr().String() + "/telegram/webhook"
				cfg.WebhookSecret = "s3cret"
			}
			a, err := app.New(context.Background(), cfg, opts)
			if err != nil {
				t.Fatalf("new app: %v", err)
			}
			defer a.Close()
			if err := storage.EnqueueMessages(context.Background(), w.DB, storage.OutboxMessage{ChatID: 1, Method: "sendMessage",
				Params: map[string]string{"chat_id": "1", "text": "x"}}); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- a.Run(ctx) }()
			var runErr error
			if mode == "webhook" {
				runErr = <-done // setWebhook failing stops serve
				if runErr == nil {
					t.Fatal("serve went on without its webhook")
				}
			} else {
				w.eventually("every call path tried", func() bool {
					return calls("setMyCommands") > 0 && calls("deleteWebhook") > 0 && calls("getUpdates") > 1 && calls("sendMessage") > 0
				})
				cancel()
				runErr = <-done
			}
			cancel()
			printed := logs.String()
			if runErr != nil {
				printed += runErr.Error()
			}
			if strings.Contains(printed, "LOG-token-secret") {
				t.Fatalf("the token reached the logs or the error:\n%s", printed)
			}
			if !strings.Contains(printed, "<token>") && !strings.Contains(printed, "EOF") {
				t.Fatalf("the failures were not reported at all:\n%s", printed)
			}
		})
	}
}
