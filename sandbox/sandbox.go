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

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
