package app

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"suivi/bot"
	"suivi/storage"
)

func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.Registry, promhttp.HandlerOpts{}))
	if a.cfg.Webhook() {
		mux.Handle("POST "+a.webhookPath(), &bot.Webhook{Secret: a.cfg.WebhookSecret, Handler: a.Router,
			Logger: a.log.With("component", "webhook"), HandleTimeout: a.opts.HandleTimeout})
	}
	return mux
}

// readyz reports whether PostgreSQL and Redis answer, the schema is current
// and Telegram takes the bot (the sender is not paused by a 401 or 404).
func (a *App) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{}
	ok := true
	if err := a.DB.PingContext(ctx); err != nil {
		checks["postgres"], ok = "unreachable", false
	} else if err := storage.CheckSchema(ctx, a.DB); err != nil {
		checks["postgres"], ok = "schema: "+err.Error(), false
	} else {
		checks["postgres"] = "ok"
	}
	if a.Redis != nil {
		if err := a.Redis.Ping(ctx).Err(); err != nil {
			checks["redis"], ok = "unreachable", false
		} else {
			checks["redis"] = "ok"
		}
	}
	if err := a.Sender.Health(); err != nil {
		checks["telegram"], ok = err.Error(), false
	} else {
		checks["telegram"] = "ok"
	}
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	json.NewEncoder(w).Encode(map[string]any{"ready": ok, "checks": checks})
}
