package bot_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"suivi/bot"
	"suivi/flows"
)

const secretToken = "987654:SECRET-token_never-printed"

// failingEndpoints are Bot API endpoints that fail in each way a network
// can: nothing listening, a connection dropped mid-request, a server that
// never answers, and a body that is not the Bot API's JSON.
func failingEndpoints(t *testing.T) map[string]string {
	t.Helper()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := closed.Addr().String()
	closed.Close()

	dropped := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>not found: "+r.URL.Path+"</html>", http.StatusNotFound)
	}))
	t.Cleanup(func() {
		close(release)
		for _, s := range []*httptest.Server{dropped, hung, html} {
			s.Close()
		}
	})
	return map[string]string{
		"refused": "http://" + refused + "/bot%s/%s",
		"dropped": dropped.URL + "/bot%s/%s",
		"hung":    hung.URL + "/bot%s/%s",
		"html":    html.URL + "/bot%s/%s",
	}
}

// Every Bot API call Suivi makes, as the rest of Suivi makes it.
var callPaths = map[string]func(ctx context.Context, tg bot.Telegram) error{
	"getMe": func(ctx context.Context, tg bot.Telegram) error { _, err := bot.Me(ctx, tg); return err },
	"setMyCommands": func(ctx context.Context, tg bot.Telegram) error {
		texts, err := flows.LoadEmbedded()
		if err != nil {
			return fmt.Errorf("load texts: %w", err)
		}
		return bot.SetCommands(ctx, tg, texts.Texts)
	},
	"setWebhook": func(ctx context.Context, tg bot.Telegram) error {
		return bot.SetWebhook(ctx, tg, "https://bot.example/hook", "s3cret")
	},
	"deleteWebhook": func(ctx context.Context, tg bot.Telegram) error { return bot.DeleteWebhook(ctx, tg) },
	"getUpdates": func(ctx context.Context, tg bot.Telegram) error {
		_, err := tg.GetUpdates(ctx, 0, 100, 0)
		return err
	},
	"sendMessage": func(ctx context.Context, tg bot.Telegram) error {
		_, err := tg.Call(ctx, "sendMessage", map[string]string{"chat_id": "1", "text": "x"})
		return err
	},
}

// The token is in every request URL; no error the client returns, however
// the call failed and however the error is printed, may carry it.
func TestClientErrorsNeverCarryTheToken(t *testing.T) {
	for name, endpoint := range failingEndpoints(t) {
		tg := bot.NewClient(secretToken, endpoint, nil)
		for method, call := range callPaths {
			t.Run(name+"/"+method, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
				defer cancel()
				err := call(ctx, tg)
				if err == nil {
					t.Fatal("the call succeeded against a failing endpoint")
				}
				for _, printed := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
					if strings.Contains(printed, secretToken) || strings.Contains(printed, "SECRET-token") {
						t.Fatalf("the error shows the token: %s", printed)
					}
				}
				if kind, _ := bot.Classify(err); name != "html" && kind != bot.ErrTransient {
					t.Fatalf("a %s endpoint classified as %v, want transient", name, kind)
				}
			})
		}
	}
}
