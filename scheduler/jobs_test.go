package scheduler

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRetentionJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := time.Date(2025, 6, 1, 3, 17, 0, 0, time.UTC)
	for i, age := range []int{1, 6, 8, 30} {
		e.db.Exec(`INSERT INTO telegram_updates (update_id, handled_at) VALUES ($1, $2)`, i+1, now.AddDate(0, 0, -age))
	}
	for _, o := range []struct {
		status string
		age    int
	}{{"sent", 10}, {"sent", 31}, {"failed", 40}, {"dropped", 31}, {"pending", 60}, {"sending", 45}} {
		e.db.Exec(`INSERT INTO outbox (chat_id, method, params, status, created_at) VALUES (1, 'sendMessage', '{}', $1, $2)`,
			o.status, now.AddDate(0, 0, -o.age))
	}
	for i, age := range []int{5, 31} {
		e.db.Exec(`INSERT INTO update_failures (update_id, chat_id, raw, error, attempts, first_failed_at, last_failed_at, dead_at)
			VALUES ($1, 1, '\x7b7d', 'boom', 5, $2, $2, $2)`, 100+i, now.AddDate(0, 0, -age))
	}
	// Failed attempts at an update handled since (id 1 is kept above), and at
	// one still waiting for its next attempt.
	for _, id := range []int{1, 999} {
		e.db.Exec(`INSERT INTO update_failures (update_id, chat_id, raw, error, attempts, first_failed_at, last_failed_at)
			VALUES ($1, 1, '\x7b7d', 'boom', 2, $2, $2)`, id, now.Add(-2*time.Hour))
	}
	var logs syncBuffer
	s := e.scheduler(t, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	job := RetentionJob(e.db)
	if !job.LeaderOnly || job.validate() != nil {
		t.Fatalf("retention job: leader-only %v, %v", job.LeaderOnly, job.validate())
	}
	if err := s.AddJob(job); err != nil {
		t.Fatal(err)
	}
	s.cfg.Now = func() time.Time { return now }
	s.runJob(context.Background(), job)
	if n := e.count(t, `SELECT count(*) FROM telegram_updates`); n != 2 {
		t.Errorf("%d telegram updates left, want the 2 younger than 7 days", n)
	}
	if n := e.count(t, `SELECT count(*) FROM outbox`); n != 3 {
		t.Errorf("%d outbox rows left, want the recent one and the 2 unfinished", n)
	}
	if n := e.count(t, `SELECT count(*) FROM update_failures WHERE update_id IN (100, 999)`); n != 2 ||
		e.count(t, `SELECT count(*) FROM update_failures`) != 2 {
		t.Errorf("update failures left: want the dead letter younger than 30 days and the unsettled one only")
	}
	if out := logs.String(); !strings.Contains(out, "job=retention") || !strings.Contains(out, "telegram_updates_deleted=2") ||
		!strings.Contains(out, "outbox_deleted=3") || !strings.Contains(out, "update_failures_deleted=2") {
		t.Errorf("log line does not say what the job did:\n%s", out)
	}
}

func TestJobPanicIsRecoveredAndLeaderOnlySkipsFollowers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	leader := e.scheduler(t, func(c *Config) { c.Logger = logger })
	follower := e.scheduler(t, func(c *Config) { c.Logger = logger })

	leader.runJob(context.Background(), Job{Name: "boom", Spec: "@every 1m", Run: func(context.Context, time.Time) error { panic("boom") }})
	if !strings.Contains(logs.String(), "job panicked") {
		t.Errorf("panic not logged:\n%s", logs.String())
	}

	var runs atomic.Int32
	only := Job{Name: "escalate", Spec: "@every 1m", LeaderOnly: true, Run: func(context.Context, time.Time) error { runs.Add(1); return nil }}
	leader.runJob(context.Background(), only)
	follower.runJob(context.Background(), only)
	if runs.Load() != 1 {
		t.Errorf("leader-only job ran %d times on two replicas, want once", runs.Load())
	}
	failing := Job{Name: "failing", Spec: "@every 1m", Run: func(context.Context, time.Time) error { return errors.New("nope") }}
	leader.runJob(context.Background(), failing)
	if !strings.Contains(logs.String(), "job failed") {
		t.Errorf("failure not logged:\n%s", logs.String())
	}
	if err := leader.AddJob(Job{Name: "bad", Spec: "every minute", Run: only.Run}); err == nil {
		t.Error("a bad schedule was accepted")
	}
}

// TestStartStop runs the cron for real with a job every second and checks
// Stop waits for the running job.
func TestStartStop(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, nil)
	var running, finished atomic.Int32
	if err := s.AddJob(Job{Name: "slow", Spec: "@every 1s", Timeout: 5 * time.Second, Run: func(ctx context.Context, now time.Time) error {
		running.Add(1)
		time.Sleep(300 * time.Millisecond)
		finished.Add(1)
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err == nil {
		t.Error("started twice")
	}
	deadline := time.Now().Add(5 * time.Second)
	for running.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.Stop(ctx)
	if running.Load() == 0 || running.Load() != finished.Load() {
		t.Errorf("after Stop: %d runs started, %d finished", running.Load(), finished.Load())
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	base := Config{DB: e.db, DefaultTZ: time.UTC, Opener: testOpener{}, Campaigns: testCampaigns, Logger: quiet}
	for name, edit := range map[string]func(*Config){
		"no zone":           func(c *Config) { c.DefaultTZ = nil },
		"no opener":         func(c *Config) { c.Opener = nil },
		"three reminders":   func(c *Config) { c.ReminderAfter = []time.Duration{time.Hour, 2 * time.Hour, 3 * time.Hour} },
		"reminder too late": func(c *Config) { c.ReminderAfter = []time.Duration{80 * time.Hour} },
		"bad campaign":      func(c *Config) { c.Campaigns = []Campaign{{FlowID: "x", Months: []int{3, 2}}} },
	} {
		cfg := base
		edit(&cfg)
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := New(base); err != nil {
		t.Errorf("valid config refused: %v", err)
	}
}
