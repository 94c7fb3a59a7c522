// Package sandbox runs the whole of Suivi on a laptop: the app against its
// built-in fake Telegram Bot API, demonstration data, and a page at
// /sandbox with three phone-like chats (a returnee, their case worker, a
// manager), a clock to move time and the flows. The page plays users
// through the fake Bot API, exactly as the tests do; it never reads or
// writes the database.
package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"suivi/app"
	"suivi/bot/telegramtest"
	"suivi/storage"
)

// Options are what the command line and the tests give the sandbox.
type Options struct {
	Logger   *slog.Logger
	Out      io.Writer    // where the address to open is printed
	Listener net.Listener // serve here instead of Config.HTTPAddr (tests)
	// Ready, when set, is called with the page's address each time the
	// app has (re)started.
	Ready func(url string)
}

// Sandbox is a running sandbox: the app, restarted when the flows are
// reloaded or everything is reset, around one clock and one fake Bot API.
type Sandbox struct {
	cfg   app.Config
	opts  Options
	log   *slog.Logger
	db    *sql.DB
	clock *Clock

	mu       sync.Mutex
	app      *app.App
	fake     *telegramtest.Server
	people   People
	typed    map[int64][]typedMessage // what the page's users typed, by chat
	version  uint64                   // bumped by changes the fake does not see
	stopPage chan struct{}            // closed to end the page's event streams before a restart
	busy     sync.Mutex               // one clock move, reload or reset at a time

	lastReload *reloadView // the last flows reload, for the page

	ctx     context.Context // Run's
	restart chan restart
}

// restart asks the loop in Run to start the app again.
type restart struct {
	wipe bool          // reset: empty the database and seed again
	done chan struct{} // closed once the new app serves
}

// typedMessage is a message a user sent from the page: the fake Bot API
// keeps only the bot's side of a chat.
type typedMessage struct {
	ID   int
	Text string
	Date time.Time
}

// Run starts the sandbox and serves until ctx ends. cfg must be a sandbox
// configuration (SUIVI_SANDBOX=1, no token).
func Run(ctx context.Context, cfg app.Config, opts Options) error {
	if !cfg.Sandbox() {
		return errors.New("sandbox: SUIVI_SANDBOX=1 without a TELEGRAM_BOT_TOKEN is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	s := &Sandbox{cfg: cfg, opts: opts, log: opts.Logger.With("component", "sandbox"),
		typed: map[int64][]typedMessage{}, restart: make(chan restart), ctx: ctx}
	if err := s.openDB(ctx); err != nil {
		return err
	}
	defer s.db.Close()
	st, err := loadState(ctx, s.db)
	if err != nil {
		return err
	}
	s.clock = NewClock(st.Offset)
	s.people = st.People
	s.fake = s.newFake()
	defer func() { s.currentFake().Close() }()
	if !st.Seeded {
		if err := s.seed(ctx); err != nil {
			return err
		}
	}
	return s.loop(ctx)
}

// openDB creates, opens and migrates the sandbox's database, for its state
// and seed (the app opens its own).
func (s *Sandbox) openDB(ctx context.Context) error {
	if err := storage.EnsureDatabase(ctx, s.cfg.DatabaseURL); err != nil {
		return err
	}
	var err error
	if s.db, err = storage.Open(ctx, s.cfg.DatabaseURL); err != nil {
		return err
	}
	applied, err := storage.Migrate(ctx, s.db)
	if err != nil {
		s.db.Close()
		return err
	}
	if len(applied) > 0 {
		s.log.Info("database migrated", "applied", applied, "version", storage.LatestVersion())
	}
	return nil
}

// seed writes the demonstration data and gives everyone a fake account.
func (s *Sandbox) seed(ctx context.Context) error {
	cat, err := s.cfg.LoadFlows()
	if err != nil {
		return fmt.Errorf("sandbox seed: %w", err)
	}
	people, err := seed(ctx, s.db, cat, s.cfg.InviteTTL, s.clock.Now())
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.people = people
	s.mu.Unlock()
	s.addAccounts()
	s.log.Info("sandbox seeded", "returnees", len(people.Returnees)+len(people.History), "staff", len(people.Staff))
	return nil
}

// newFake starts the fake Bot API on the sandbox clock, with an account
// for everyone of the seed.
func (s *Sandbox) newFake() *telegramtest.Server {
	f := telegramtest.New(telegramtest.WithClock(s.clock.Now), telegramtest.WithBotUsername("suivi_sandbox_bot"))
	s.mu.Lock()
	s.fake = f
	s.mu.Unlock()
	s.addAccounts()
	return f
}

func (s *Sandbox) addAccounts() {
	s.mu.Lock()
	f, people := s.fake, s.people
	s.mu.Unlock()
	for _, p := range people.all() {
		f.User(p.TelegramID, telegramtest.FirstName(p.Name), telegramtest.Language(p.Lang))
	}
}

func (s *Sandbox) currentFake() *telegramtest.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fake
}

func (s *Sandbox) currentApp() *app.App {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.app
}

// loop runs the app, and starts it again on a reload or reset.
func (s *Sandbox) loop(ctx context.Context) error {
	listener := s.opts.Listener
	for {
		if listener == nil && s.opts.Listener != nil {
			// The last app's server closed the listener: listen again on
			// the same address, so the page's address does not change.
			var err error
			if listener, err = net.Listen("tcp", s.opts.Listener.Addr().String()); err != nil {
				return fmt.Errorf("sandbox: listen again: %w", err)
			}
		}
		a, err := app.New(ctx, s.cfg, app.Options{Logger: s.opts.Logger, Now: s.clock.Now, Fake: s.currentFake(),
			Routes: s.routes, Listener: listener})
		if err != nil {
			return err
		}
		listener = nil
		stop := make(chan struct{})
		s.mu.Lock()
		s.app, s.stopPage = a, stop
		s.version++
		s.mu.Unlock()
		runCtx, cancel := context.WithCancel(ctx)
		ran := make(chan error, 1)
		go func() { ran <- a.Run(runCtx) }()
		// What is already due (alerts of the seed) shows at once, not at
		// cron's next minute.
		go func() {
			if a.Addr() != "" && runCtx.Err() == nil {
				a.Scheduler.RunNow(runCtx)
			}
		}()
		url := "http://" + a.Addr() + "/sandbox"
		fmt.Fprintf(s.opts.Out, "\n  Suivi sandbox: open %s\n\n", url)
		if s.opts.Ready != nil {
			s.opts.Ready(url)
		}
		if !isLoopback(a.Addr()) {
			s.log.Warn("the sandbox page is served beyond this machine (SUIVI_HTTP_ADDR); anyone who reaches it can play every user")
		}
		var req restart
		var runErr error
		stopped := false
		select {
		case <-ctx.Done():
		case req = <-s.restart:
		case runErr = <-ran:
			stopped = true
		}
		close(stop) // the page's event streams end, so the server stops at once
		s.mu.Lock()
		s.app = nil // the page shows the restart; the clock waits for the next app
		s.mu.Unlock()
		cancel()
		if !stopped {
			runErr = <-ran
		}
		a.Close()
		if req.done == nil {
			return runErr
		}
		if req.wipe {
			if err := s.resetData(ctx); err != nil {
				close(req.done)
				return err
			}
		}
		close(req.done)
	}
}

// resetData empties the database, puts the clock back and seeds again,
// with a fresh fake Bot API (empty chats).
func (s *Sandbox) resetData(ctx context.Context) error {
	if err := wipe(ctx, s.db); err != nil {
		return err
	}
	if _, err := storage.Migrate(ctx, s.db); err != nil {
		return err
	}
	if _, err := loadState(ctx, s.db); err != nil {
		return err
	}
	s.clock.reset()
	old := s.currentFake()
	s.mu.Lock()
	s.typed = map[int64][]typedMessage{}
	s.mu.Unlock()
	s.newFake()
	old.Close()
	return s.seed(ctx)
}

// requestRestart asks the loop for a new app and waits until it serves;
// a clock move waits for it, and it for a clock move.
func (s *Sandbox) requestRestart(ctx context.Context, wipe bool) error {
	s.busy.Lock()
	defer s.busy.Unlock()
	req := restart{wipe: wipe, done: make(chan struct{})}
	select {
	case s.restart <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-req.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
