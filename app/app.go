package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"suivi/bot"
	"suivi/bot/telegramtest"
	"suivi/flows"
	"suivi/scheduler"
	"suivi/storage"
)

// Options are what tests and the sandbox change beyond Config.
type Options struct {
	Logger        *slog.Logger
	Now           func() time.Time
	Listener      net.Listener // serve HTTP here instead of Config.HTTPAddr
	Transport     http.RoundTripper
	PollTimeout   time.Duration // long-poll wait (default 25s)
	HandleTimeout time.Duration // one update's transaction (default 30s)
	BackoffBase   time.Duration // sender's first retry delay (default 1s)
	RedisPrefix   string        // Redis key prefix (default "suivi:")
	SenderLoops   int
}

// App is one Suivi process: it starts its components in order and stops
// them in reverse.
type App struct {
	cfg           Config
	opts          Options
	log           *slog.Logger
	DB            *sql.DB
	Redis         *redis.Client
	Telegram      bot.Telegram
	Fake          *telegramtest.Server // the sandbox's Bot API, nil with a real token
	Flows         *flows.Catalog
	Texts         *flows.Texts
	Metrics       *bot.Metrics
	Registry      *prometheus.Registry
	Router        *bot.Router
	Conversations *bot.Conversations
	Scheduler     *scheduler.Scheduler
	Sender        *bot.Sender
	BotName       string

	listener net.Listener
	server   *http.Server
	ready    chan struct{}
}

// New opens everything Suivi needs and checks it: database (created and
// migrated when needed), Redis when configured, flow definitions, Telegram.
func New(ctx context.Context, cfg Config, opts Options) (_ *App, err error) {
	if opts.Logger == nil {
		opts.Logger = NewLogger(cfg, os.Stderr)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RedisPrefix == "" {
		opts.RedisPrefix = "suivi:"
	}
	a := &App{cfg: cfg, opts: opts, log: opts.Logger, ready: make(chan struct{})}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if err := storage.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
		return nil, err
	}
	if a.DB, err = storage.Open(ctx, cfg.DatabaseURL); err != nil {
		return nil, err
	}
	applied, err := storage.Migrate(ctx, a.DB)
	if err != nil {
		return nil, err
	}
	if len(applied) > 0 {
		a.log.Info("database migrated", "applied", applied, "version", storage.LatestVersion())
	}
	if err := a.openRedis(ctx); err != nil {
		return nil, err
	}
	if err := a.loadFlows(); err != nil {
		return nil, err
	}
	if err := a.openTelegram(ctx); err != nil {
		return nil, err
	}
	a.Registry = prometheus.NewRegistry()
	a.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.Metrics = bot.NewMetrics(a.Registry)
	a.Registry.MustRegister(newOutboxCollector(a.DB))
	a.wire()
	if a.Scheduler, err = scheduler.New(scheduler.Config{
		DB: a.DB, Redis: a.Redis, KeyPrefix: a.opts.RedisPrefix, Campaigns: Campaigns(a.Flows),
		DefaultTZ: cfg.Timezone, Opener: a.Conversations, Logger: a.log, Now: a.opts.Now,
	}); err != nil {
		return nil, err
	}
	if err := a.Scheduler.AddJob(scheduler.RetentionJob(a.DB)); err != nil {
		return nil, err
	}
	return a, nil
}

// Campaigns turns the flows scheduled relative to the return date into the
// scheduler's campaigns.
func Campaigns(cat *flows.Catalog) []scheduler.Campaign {
	var out []scheduler.Campaign
	seen := map[string]bool{}
	for _, d := range cat.List() {
		if d.Schedule.Trigger != "return" || len(d.Schedule.Months) == 0 || seen[d.ID] {
			continue
		}
		latest, _ := cat.Latest(d.ID)
		seen[d.ID] = true
		out = append(out, scheduler.Campaign{FlowID: latest.ID, Months: latest.Schedule.Months})
	}
	return out
}

func (a *App) openRedis(ctx context.Context) error {
	if a.cfg.RedisURL == "" {
		a.log.Info("no REDIS_URL: running as a single replica with in-process limits and locks")
		return nil
	}
	opts, err := redis.ParseURL(a.cfg.RedisURL)
	if err != nil {
		return &ConfigError{"REDIS_URL", "", err.Error()}
	}
	a.Redis = redis.NewClient(opts)
	pingCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := a.Redis.Ping(pingCtx).Err(); err != nil {
		a.log.Warn("redis not reachable at start; sending uses the local fallback rate until it is", "err", err)
	}
	return nil
}

func (a *App) loadFlows() error {
	var err error
	if a.Flows, err = a.cfg.LoadFlows(); err != nil {
		return fmt.Errorf("flow definitions refused:\n%w", err)
	}
	a.Texts = a.Flows.Texts
	return nil
}

// LoadFlows loads the embedded flow definitions, with SUIVI_FLOWS_DIR's
// files added or overriding them when it is set.
func (c Config) LoadFlows() (*flows.Catalog, error) {
	if c.FlowsDir != "" {
		return flows.LoadDir(c.FlowsDir)
	}
	return flows.LoadEmbedded()
}

func (a *App) openTelegram(ctx context.Context) error {
	token, endpoint := a.cfg.BotToken, a.cfg.APIEndpoint
	if a.cfg.Sandbox() {
		a.Fake = telegramtest.New()
		token, endpoint = a.Fake.Token(), a.Fake.Endpoint()
		a.log.Info("no TELEGRAM_BOT_TOKEN: sandbox mode against the built-in fake Bot API", "fake_api", a.Fake.URL())
	}
	a.Telegram = bot.NewClient(token, endpoint, a.opts.Transport)
	var lastErr error
	for attempt := range 5 {
		me, err := bot.Me(ctx, a.Telegram)
		if err == nil {
			a.BotName = me.UserName
			return nil
		}
		lastErr = err
		if kind, _ := bot.Classify(err); kind == bot.ErrRejected || kind == bot.ErrForbidden {
			break // a wrong token will not become right
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 500 * time.Millisecond):
		}
	}
	return fmt.Errorf("reach the Telegram Bot API (check TELEGRAM_BOT_TOKEN and TELEGRAM_API_ENDPOINT): %w", lastErr)
}

// wire builds the router, sender and intake over the opened resources.
func (a *App) wire() {
	var limiter bot.Limiter
	lc := bot.LimitConfig{Rate: a.cfg.SendRate, ChatInterval: a.cfg.SendChatInterval, FallbackShare: a.cfg.SendFallbackShare}
	if a.Redis != nil {
		limiter = bot.NewRedisLimiter(lc, a.Redis, a.opts.RedisPrefix, a.log.With("component", "limiter"))
	} else {
		limiter = bot.NewLocalLimiter(lc)
	}
	a.Sender = bot.NewSender(bot.SenderConfig{
		DB: a.DB, Telegram: a.Telegram, Limiter: limiter, Metrics: a.Metrics,
		Logger: a.log.With("component", "sender"), Now: a.opts.Now,
		BackoffBase: a.opts.BackoffBase, Loops: a.opts.SenderLoops,
	})
	a.Conversations = &bot.Conversations{Flows: a.Flows, Texts: a.Texts, Contacts: a.cfg.EmergencyContacts,
		Now: a.opts.Now, Logger: a.log.With("component", "conversations")}
	a.Router = &bot.Router{
		DB: a.DB, Texts: a.Texts, Logger: a.log.With("component", "router"), Metrics: a.Metrics,
		Now: a.opts.Now, OnCommit: a.Sender.Wake,
		Returnees: &bot.ReturneeHandler{Conv: a.Conversations},
	}
}

// Addr is the HTTP server's address once Run has started it.
func (a *App) Addr() string {
	<-a.ready
	if a.listener == nil {
		return ""
	}
	return a.listener.Addr().String()
}

// Run serves until ctx ends, then stops intake first, lets the sender finish
// what is in flight, and stops the HTTP server last.
func (a *App) Run(ctx context.Context) error {
	var err error
	a.listener = a.opts.Listener
	if a.listener == nil {
		if a.listener, err = net.Listen("tcp", a.cfg.HTTPAddr); err != nil {
			close(a.ready)
			return &ConfigError{"SUIVI_HTTP_ADDR", a.cfg.HTTPAddr, "cannot listen: " + err.Error()}
		}
	}
	a.server = &http.Server{Handler: a.routes(), ReadHeaderTimeout: 10 * time.Second}
	close(a.ready)
	serveErr := make(chan error, 1)
	go func() { serveErr <- a.server.Serve(a.listener) }()
	a.log.Info("suivi serving", "http", a.listener.Addr().String(), "bot", a.BotName, "webhook", a.cfg.Webhook(), "redis", a.Redis != nil)

	intakeCtx, stopIntake := context.WithCancel(ctx)
	defer stopIntake()
	sendCtx, stopSender := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSender()
	var intake, sending sync.WaitGroup
	if err := bot.SetCommands(ctx, a.Telegram, a.Texts); err != nil {
		a.log.Warn("setMyCommands failed; the command menu may be out of date", "reason", err)
	}
	if err := a.startIntake(intakeCtx, &intake); err != nil {
		return err
	}
	sending.Add(1)
	go func() { defer sending.Done(); a.Sender.Run(sendCtx) }()
	if err := a.Scheduler.Start(sendCtx); err != nil {
		return err
	}

	select {
	case <-ctx.Done():
	case err = <-serveErr:
		a.log.Error("http server stopped", "err", err)
	}
	a.log.Info("shutting down: stopping intake")
	stopIntake()
	intake.Wait()
	a.log.Info("shutting down: stopping the scheduler")
	a.Scheduler.Stop(context.Background())
	a.log.Info("shutting down: finishing sends in flight")
	stopSender()
	sending.Wait()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a.server.Shutdown(shutdownCtx)
	a.log.Info("stopped")
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func (a *App) startIntake(ctx context.Context, wg *sync.WaitGroup) error {
	if a.cfg.Webhook() {
		if err := bot.SetWebhook(ctx, a.Telegram, a.cfg.WebhookURL, a.cfg.WebhookSecret); err != nil {
			return fmt.Errorf("setWebhook: %w", err)
		}
		return nil
	}
	if err := bot.DeleteWebhook(ctx, a.Telegram); err != nil {
		a.log.Warn("deleteWebhook failed; polling may get 409 until it is removed", "err", err)
	}
	p := &bot.Poller{Telegram: a.Telegram, Handler: a.Router, Logger: a.log.With("component", "poller"),
		Timeout: a.opts.PollTimeout, HandleTimeout: a.opts.HandleTimeout}
	wg.Add(1)
	go func() { defer wg.Done(); p.Run(ctx) }()
	return nil
}

// webhookPath is where Telegram posts updates: the path of the webhook URL.
func (a *App) webhookPath() string {
	u, err := url.Parse(a.cfg.WebhookURL)
	if err != nil || u.Path == "" {
		return "/telegram/webhook"
	}
	return u.Path
}

// Close releases what New opened.
func (a *App) Close() {
	if a.Fake != nil {
		a.Fake.Close()
	}
	if a.Redis != nil {
		a.Redis.Close()
	}
	if a.DB != nil {
		a.DB.Close()
	}
}
