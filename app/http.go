package app

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"suivi/bot"
	"suivi/storage"
)

// HTTP server limits. A webhook update is handled within HandleTimeout
// (30 s by default) before its answer is written, so writes get longer.
const (
	httpReadHeaderTimeout = 10 * time.Second
	httpReadTimeout       = 30 * time.Second
	httpWriteTimeout      = 60 * time.Second
	httpIdleTimeout       = 120 * time.Second
)

// newHTTPServer is an http.Server with read, write and idle timeouts, so a
// slow or stalled client cannot hold connections open forever. A non-zero
// readTimeout (tests) shortens the read limits.
func newHTTPServer(h http.Handler, readTimeout time.Duration) *http.Server {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: httpReadHeaderTimeout,
		ReadTimeout:       httpReadTimeout,
		WriteTimeout:      httpWriteTimeout,
		IdleTimeout:       httpIdleTimeout,
	}
	if readTimeout > 0 {
		srv.ReadHeaderTimeout, srv.ReadTimeout = readTimeout, readTimeout
	}
	return srv
}

func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", a.readyz)
	if a.cfg.MetricsAddr == "" && a.opts.MetricsListener == nil {
		mux.Handle("GET /metrics", a.metricsHandler())
	}
	if a.cfg.Webhook() {
		mux.Handle("POST "+a.webhookPath(), a.intake.guard(&bot.Webhook{Secret: a.cfg.WebhookSecret, Handler: a.Router,
			Logger: a.log.With("component", "webhook"), HandleTimeout: a.opts.HandleTimeout}))
	}
	if a.opts.Routes != nil {
		a.opts.Routes(mux)
	}
	return mux
}

// metricsRoutes is the separate metrics server's handler (SUIVI_METRICS_ADDR).
func (a *App) metricsRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.metricsHandler())
	return mux
}

func (a *App) metricsHandler() http.Handler {
	return promhttp.HandlerFor(a.Registry, promhttp.HandlerOpts{})
}

// intakeGate lets shutdown stop webhook intake first: once closed, new
// updates are answered 503 (Telegram delivers them again later, to this or
// another replica) and close waits for the updates being handled.
type intakeGate struct {
	mu       sync.Mutex
	closed   bool
	inFlight sync.WaitGroup
}

func (g *intakeGate) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		if g.closed {
			g.mu.Unlock()
			http.Error(w, "shutting down, retry later", http.StatusServiceUnavailable)
			return
		}
		g.inFlight.Add(1)
		g.mu.Unlock()
		defer g.inFlight.Done()
		next.ServeHTTP(w, r)
	})
}

// close turns new updates away and waits for those in flight.
func (g *intakeGate) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.inFlight.Wait()
}

func (g *intakeGate) isClosed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed
}

// readyz reports whether PostgreSQL and Redis answer, the schema is
// current, Telegram takes the bot (the sender is not paused by a 401 or
// 404) and the replica is not shutting down.
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
	if a.intake.isClosed() {
		checks["intake"], ok = "shutting down", false
	}
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	json.NewEncoder(w).Encode(map[string]any{"ready": ok, "checks": checks})
}
