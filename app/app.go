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
	"suivi/followup"
	"suivi/lease"
	"suivi/scheduler"
	"suivi/storage"
)

// Options are what tests and the sandbox change beyond Config.
type Options struct {
	Logger          *slog.Logger
	Now             func() time.Time
	Listener        net.Listener  // serve HTTP here instead of Config.HTTPAddr
	MetricsListener net.Listener  // serve /metrics here instead of Config.MetricsAddr
	HTTPReadTimeout time.Duration // read limit of HTTP requests (default 30s)
	Transport       http.RoundTripper
	PollTimeout     time.Duration // long-poll wait (default 25s)
	HandleTimeout   time.Duration // one update's transaction (default 30s)
	BackoffBase     time.Duration // sender's first retry delay (default 1s)
	RedisPrefix     string        // Redis key prefix (default "suivi:")
	SenderLoops     int
	PollLeaseTTL    time.Duration // the polling replica's lease (default 10s)

	// Fake is the sandbox's Bot API when its caller keeps it across
	// restarts of the App (a flow reload); the App then never closes it.
	Fake *telegramtest.Server
	// Routes adds handlers to the HTTP server (the sandbox's page).
	Routes func(*http.ServeMux)
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
	Conversations *followup.Conversations
	Delivery      *followup.Delivery // takes alerts to the staff; in every handling context (Run)
	Scheduler     *scheduler.Scheduler
	Sender        *bot.Sender
	BotName       string

	listener        net.Listener
	server          *http.Server
	metricsListener net.Listener
	metricsServer   *http.Server
	intake          intakeGate
	ready           chan struct{}
}

// New opens everything Suivi needs and checks it: database (created and
// migrated when needed), Redis when configured, flow definitions, Telegram.
func New(ctx context.Context, cfg Config, opts Options) (_ *App, err error) {
	if err := cfg.CheckServe(); err != nil {
		return nil, err
	}
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
	if err := checkOnCall(ctx, a.DB, cfg.OnCall); err != nil {
		return nil, err
	}
	if err := a.openRedis(ctx); err != nil {
		return nil, err
	}
	if err := a.loadFlows(ctx); err != nil {
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
	if err := a.Scheduler.AddJob(scheduler.ErasureJob(a.DB, Campaigns(a.Flows), cfg.Retention)); err != nil {
		return nil, err
	}
	if err := a.Scheduler.AddJob(scheduler.AlertJob(a.DB, a.Delivery)); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *App) openRedis(ctx context.Context) error {
	if a.cfg.RedisURL == "" {
		a.log.Info("no REDIS_URL: running as a single replica with in-process limits and locks")
		return nil
	}
	var err error
	if a.Redis, err = storage.NewRedis(a.cfg.RedisURL); err != nil {
		return &ConfigError{"REDIS_URL", "", err.Error()}
	}
	pingCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := a.Redis.Ping(pingCtx).Err(); err != nil {
		a.log.Warn("redis not reachable at start; sending uses the local fallback rate until it is", "err", err)
	}
	return nil
}

// loadFlows loads the flow definitions and refuses to start while an open
// conversation needs a flow version they lack: its next answer would fail
// every time.
func (a *App) loadFlows(ctx context.Context) error {
	var err error
	if a.Flows, err = a.cfg.LoadFlows(); err != nil {
		return fmt.Errorf("flow definitions refused:\n%w", err)
	}
	a.Texts = a.Flows.Texts
	return checkOpenFlows(ctx, a.DB, a.Flows)
}

// LoadFlows loads the embedded flow definitions, with SUIVI_FLOWS_DIR's
// files added or overriding them when it is set.
func (c Config) LoadFlows() (*flows.Catalog, error) {
	if c.FlowsDir != "" {
		return flows.LoadDir(c.FlowsDir)
	}
	return flows.LoadEmbedded()
}

// Conversations runs the flows of cat as configured (emergency contacts, the
// retention the consent states): the one set-up for serve, the command
// line and the benchmarks.
func (c Config) Conversations(cat *flows.Catalog, now func() time.Time, log *slog.Logger) *followup.Conversations {
	return &followup.Conversations{Flows: cat, Texts: cat.Texts, Contacts: c.Contacts,
		RetentionMonths: c.Retention.MonthsStated(), Now: now, Logger: log}
}

func (a *App) openTelegram(ctx context.Context) error {
	token, endpoint := a.cfg.BotToken, a.cfg.APIEndpoint
	if a.cfg.Sandbox() {
		a.Fake = a.opts.Fake
		if a.Fake == nil {
			a.Fake = telegramtest.New()
		}
		token, endpoint = a.Fake.Token(), a.Fake.Endpoint()
		a.log.Info("SUIVI_SANDBOX=1: sandbox mode against the built-in fake Bot API", "fake_api", a.Fake.URL())
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
	deadlines := map[followup.Severity]time.Duration{}
	for sev, d := range a.cfg.AlertDeadlines {
		deadlines[followup.Severity(sev)] = d
	}
	a.Delivery = &followup.Delivery{Flows: a.Flows, Zone: a.cfg.Timezone, OnCall: a.cfg.OnCall, Deadlines: deadlines}
	a.Conversations = a.cfg.Conversations(a.Flows, a.opts.Now, a.log.With("component", "conversations"))
	a.Router = &bot.Router{
		DB: a.DB, Texts: a.Texts, Logger: a.log.With("component", "router"), Metrics: a.Metrics,
		Now: a.opts.Now, OnCommit: a.Sender.Wake,
		Staff: &bot.StaffHandler{Conv: a.Conversations, Flows: a.Flows, Texts: a.Texts,
			Logger: a.log.With("component", "staff"), Now: a.opts.Now},
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

// Run serves until ctx ends, then stops in this order: intake first (the
// poller, and new webhook requests are turned away while those in flight
// finish), then the scheduler within a deadline, then the sender once the
// calls in flight are recorded, and the HTTP servers last.
func (a *App) Run(ctx context.Context) error {
	// Alerts raised while handling updates, sending or planning are
	// delivered to the staff at once.
	ctx = followup.WithDelivery(ctx, a.Delivery)
	if err := a.listen(); err != nil {
		close(a.ready)
		return err
	}
	a.server = newHTTPServer(a.routes(), a.opts.HTTPReadTimeout)
	base := context.WithoutCancel(ctx) // webhook updates raise alerts too
	a.server.BaseContext = func(net.Listener) context.Context { return base }
	close(a.ready)
	serveErr := make(chan error, 2)
	go func() { serveErr <- a.server.Serve(a.listener) }()
	if a.metricsListener != nil {
		a.metricsServer = newHTTPServer(a.metricsRoutes(), a.opts.HTTPReadTimeout)
		go func() { serveErr <- a.metricsServer.Serve(a.metricsListener) }()
	}
	a.log.Info("suivi serving", "http", a.listener.Addr().String(), "metrics", a.MetricsAddr(), "bot", a.BotName,
		"webhook", a.cfg.Webhook(), "redis", a.Redis != nil, "sandbox", a.cfg.Sandbox())

	intakeCtx, stopIntake := context.WithCancel(ctx)
	defer stopIntake()
	sendCtx, stopSender := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSender()
	var intake, sending sync.WaitGroup
	if err := bot.SetCommands(ctx, a.Telegram, a.Texts); err != nil {
		a.log.Warn("setMyCommands failed; the command menu may be out of date", "err", err)
	}
	if err := bot.SetStaffCommands(ctx, a.Telegram, a.Texts, a.DB); err != nil {
		a.log.Warn("setMyCommands for staff chats failed; their command menu may be out of date", "err", err)
	}
	if err := a.startIntake(intakeCtx, &intake); err != nil {
		a.shutdownHTTP()
		return err
	}
	sending.Add(1)
	go func() { defer sending.Done(); a.Sender.Run(sendCtx) }()
	if err := a.Scheduler.Start(sendCtx); err != nil {
		stopSender()
		sending.Wait()
		a.shutdownHTTP()
		return err
	}

	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr:
		a.log.Error("http server stopped", "err", err)
	}
	a.log.Info("shutting down: stopping intake")
	stopIntake()
	a.intake.close()
	intake.Wait()
	a.log.Info("shutting down: stopping the scheduler", "deadline", schedulerStopDeadline)
	stopCtx, cancelStop := context.WithTimeout(context.Background(), schedulerStopDeadline)
	a.Scheduler.Stop(stopCtx)
	cancelStop()
	a.log.Info("shutting down: finishing sends in flight")
	stopSender()
	sending.Wait()
	a.shutdownHTTP()
	a.log.Info("stopped")
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// schedulerStopDeadline bounds how long shutdown waits for a planning pass
// or job in flight; what it leaves is picked up by the next leader.
const schedulerStopDeadline = 20 * time.Second

// listen opens the HTTP listener (and the metrics one when it is separate).
func (a *App) listen() error {
	var err error
	a.listener = a.opts.Listener
	if a.listener == nil {
		if a.listener, err = net.Listen("tcp", a.cfg.HTTPAddr); err != nil {
			return &ConfigError{"SUIVI_HTTP_ADDR", a.cfg.HTTPAddr, "cannot listen: " + err.Error()}
		}
	}
	a.metricsListener = a.opts.MetricsListener
	if a.metricsListener == nil && a.cfg.MetricsAddr != "" {
		if a.metricsListener, err = net.Listen("tcp", a.cfg.MetricsAddr); err != nil {
			a.listener.Close()
			return &ConfigError{"SUIVI_METRICS_ADDR", a.cfg.MetricsAddr, "cannot listen: " + err.Error()}
		}
	}
	return nil
}

// shutdownHTTP stops the HTTP servers, letting requests in flight finish.
func (a *App) shutdownHTTP() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, srv := range []*http.Server{a.server, a.metricsServer} {
		if srv != nil {
			srv.Shutdown(ctx)
		}
	}
}

// MetricsAddr is where /metrics is served once Run has started.
func (a *App) MetricsAddr() string {
	<-a.ready
	if a.metricsListener != nil {
		return a.metricsListener.Addr().String()
	}
	if a.listener == nil {
		return ""
	}
	return a.listener.Addr().String()
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
	// One replica polls at a time: Telegram answers 409 to a second poller.
	// The lease is a row in PostgreSQL, not in Redis: intake needs the
	// database anyway, and a Redis outage must not stop it.
	l := lease.NewTable(a.DB, pollerLease, a.pollLeaseTTL(), nil)
	p := &bot.Poller{Telegram: a.Telegram, Handler: a.Router, Logger: a.log.With("component", "poller"),
		Timeout: a.opts.PollTimeout, HandleTimeout: a.opts.HandleTimeout, Lease: l, LeaseTTL: a.pollLeaseTTL()}
	wg.Add(1)
	go func() { defer wg.Done(); p.Run(ctx) }()
	return nil
}

// pollerLease names the polling replica's lease. No fencing token: handling
// is idempotent per update id, so a former poller that has not yet noticed
// its loss does no harm.
const pollerLease = "intake:poller"

func (a *App) pollLeaseTTL() time.Duration {
	if a.opts.PollLeaseTTL > 0 {
		return a.opts.PollLeaseTTL
	}
	return 10 * time.Second
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
	if a.Fake != nil && a.opts.Fake == nil {
		a.Fake.Close()
	}
	if a.Redis != nil {
		a.Redis.Close()
	}
	if a.DB != nil {
		a.DB.Close()
	}
}
