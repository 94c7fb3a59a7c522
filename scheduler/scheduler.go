// Package scheduler creates due work as rows and works through it: it plans
// each returnee's check-ins from the campaigns, in their time zone and window,
// opens them when due, reminds, expires, raises lost-contact alerts, and runs
// periodic jobs. It never sends anything itself: the Opener writes to the
// outbox in the same transaction. Planning is one leader's (a Redis lease with
// a fencing token in PostgreSQL, or an advisory lock); everything else is safe
// on any number of replicas at once.
package scheduler

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/robfig/cron/v3"

	"suivi/storage"
)

// Opener starts, reminds and closes check-in conversations. The bot
// implements it with the flow engine and the outbox's bulk lane; every call
// happens inside the transaction that also changes the check-in's row.
type Opener interface {
	// OpenCheckin starts the check-in's conversation and queues its opener in
	// tx. It returns an error wrapping storage.ErrConflict when the returnee
	// is busy in another conversation; the check-in then waits.
	OpenCheckin(ctx context.Context, tx *sql.Tx, c storage.Checkin) (conversationID int64, err error)
	// RemindCheckin queues reminder number n (1 or 2) for an open check-in in tx.
	RemindCheckin(ctx context.Context, tx *sql.Tx, c storage.Checkin, n int) error
	// ExpireCheckin closes the check-in's conversation in tx (it counts as missed).
	ExpireCheckin(ctx context.Context, tx *sql.Tx, c storage.Checkin) error
}

// Config is what the scheduler needs; zero values take the defaults noted.
type Config struct {
	DB        *sql.DB
	Redis     *redis.Client // nil: a PostgreSQL advisory lock elects the leader
	KeyPrefix string        // prefix of the Redis keys
	Campaigns []Campaign
	DefaultTZ *time.Location // zone of returnees without one; required
	Opener    Opener
	Logger    *slog.Logger
	Now       func() time.Time // default time.Now

	ReminderAfter []time.Duration // after opening; default 24 h, 48 h; at most two
	ExpireAfter   time.Duration   // after opening; default 72 h
	Horizon       time.Duration   // older occurrences are skipped; default 14 days
	BatchSize     int             // returnees per planning transaction; default 2000

	LeaseTTL     time.Duration // leader lease; default 2 min
	Lookahead    int           // days planned ahead of today (UTC); default 2
	CatchUpAfter time.Duration // a check-in this late is moved to the next window; default 30 min
	RetryAfter   time.Duration // first retry after a failed opening; default 5 min, doubling
}

const maxReminders = 2

// Defaults of the catch-up settings, also used by Preview.
const (
	DefaultHorizon      = 14 * 24 * time.Hour
	DefaultCatchUpAfter = 30 * time.Minute
)

func (c *Config) defaults() error {
	if c.DB == nil {
		return errors.New("scheduler: DB is required")
	}
	if c.DefaultTZ == nil {
		return errors.New("scheduler: DefaultTZ is required (set SUIVI_TIMEZONE, e.g. Africa/Casablanca)")
	}
	if c.Opener == nil {
		return errors.New("scheduler: Opener is required")
	}
	if err := validateCampaigns(c.Campaigns); err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.ReminderAfter == nil {
		c.ReminderAfter = []time.Duration{24 * time.Hour, 48 * time.Hour}
	}
	if c.ExpireAfter == 0 {
		c.ExpireAfter = 72 * time.Hour
	}
	if c.Horizon == 0 {
		c.Horizon = DefaultHorizon
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 2000
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = 2 * time.Minute
	}
	if c.Lookahead <= 0 {
		c.Lookahead = 2
	}
	if c.CatchUpAfter == 0 {
		c.CatchUpAfter = DefaultCatchUpAfter
	}
	if c.RetryAfter == 0 {
		c.RetryAfter = 5 * time.Minute
	}
	if len(c.ReminderAfter) > maxReminders {
		return fmt.Errorf("scheduler: at most %d reminders, got %d", maxReminders, len(c.ReminderAfter))
	}
	for i, d := range c.ReminderAfter {
		if d <= 0 || d >= c.ExpireAfter || (i > 0 && d <= c.ReminderAfter[i-1]) {
			return fmt.Errorf("scheduler: reminders must come in order after opening and before expiry (%s)", c.ExpireAfter)
		}
	}
	if c.Horizon < 24*time.Hour {
		return fmt.Errorf("scheduler: horizon %s is under a day", c.Horizon)
	}
	return nil
}

// Scheduler plans and works through check-ins, and runs periodic jobs.
type Scheduler struct {
	cfg   Config
	db    *sql.DB
	log   *slog.Logger
	lease leaser
	zones *zones
	flows []string
	slots []monthSlot // the campaigns' occurrences by month

	mu      sync.Mutex
	jobs    []Job
	cron    *cron.Cron
	runCtx  context.Context
	stopRun context.CancelFunc

	// tidied is the fence of the last pass that cancelled withdrawn work.
	tidied atomic.Int64

	// afterPlanBatch, when set by tests, runs after each planning transaction.
	afterPlanBatch func()
}

// New checks the configuration and builds a scheduler; Start runs it.
func New(cfg Config) (*Scheduler, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	log := cfg.Logger.With("component", "scheduler")
	s := &Scheduler{cfg: cfg, db: cfg.DB, log: log, zones: newZones(cfg.DefaultTZ, log)}
	for _, c := range cfg.Campaigns {
		s.flows = append(s.flows, c.FlowID)
	}
	s.slots = monthSlots(cfg.Campaigns)
	if cfg.Redis != nil {
		s.lease = newRedisLease(cfg.Redis, cfg.KeyPrefix+"scheduler:leader", cfg.LeaseTTL, cfg.DB)
	} else {
		s.lease = newAdvisoryLease(cfg.DB)
	}
	return s, nil
}

// tickStats counts what one pass did, for its log line.
type tickStats struct {
	Planned, Skipped, Cancelled int64
	Opened, Moved, Busy, Failed int
	Reminded, Completed, Missed int
	Alerts                      int
}

// idle reports a pass that changed nothing (a returnee still busy in
// another conversation is not news).
func (t tickStats) idle() bool {
	t.Busy = 0
	return t == tickStats{}
}

// Tick does one full pass at now: the leader plans (new and changed
// returnees, the days coming into the look-ahead, catch-up after downtime,
// occurrences past the horizon), then, on every replica, open check-ins are
// reminded or expired and due ones opened. Tests call it to run months of
// schedule in milliseconds.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) error {
	var st tickStats
	var errs []error
	if err := s.withLease(ctx, func(ctx context.Context, fence int64) error {
		return s.plan(ctx, now, fence, &st)
	}); err != nil && !errors.Is(err, errNotLeader) {
		errs = append(errs, err)
	}
	if err := s.act(ctx, now, &st); err != nil {
		errs = append(errs, err)
	}
	if err := s.open(ctx, now, &st); err != nil {
		errs = append(errs, err)
	}
	level := slog.LevelInfo
	if st.idle() {
		level = slog.LevelDebug
	}
	s.log.Log(ctx, level, "tick",
		"planned", st.Planned, "skipped", st.Skipped, "cancelled", st.Cancelled,
		"opened", st.Opened, "moved", st.Moved, "busy", st.Busy, "failed", st.Failed,
		"reminded", st.Reminded, "completed", st.Completed, "missed", st.Missed, "alerts", st.Alerts)
	return errors.Join(errs...)
}
