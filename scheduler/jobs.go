package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Job is periodic work driven by the scheduler's cron: the check-in tick,
// retention, alert escalation. Each run gets a timeout, panic recovery and
// one log line saying what it did.
type Job struct {
	Name       string
	Spec       string        // cron spec in UTC: "*/5 * * * *", "@hourly", "@every 10m"
	Timeout    time.Duration // default 5 min
	LeaderOnly bool          // run on the leader only; otherwise on every replica
	Run        func(ctx context.Context, now time.Time) error

	logsItself bool // the tick writes its own line with its counts
}

func (j Job) validate() error {
	if j.Name == "" || j.Run == nil {
		return errors.New("job: a name and a Run function are required")
	}
	if _, err := cron.ParseStandard(j.Spec); err != nil {
		return fmt.Errorf("job %s: schedule %q: %w", j.Name, j.Spec, err)
	}
	return nil
}

// tickJob is the check-in pass, every minute on every replica.
func (s *Scheduler) tickJob() Job {
	return Job{Name: "checkins", Spec: "* * * * *", Timeout: 10 * time.Minute, Run: s.Tick, logsItself: true}
}

// AddJob registers a periodic job; it may be called before or after Start.
func (s *Scheduler) AddJob(j Job) error {
	if err := j.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs = append(s.jobs, j)
	if s.cron != nil {
		if _, err := s.cron.AddFunc(j.Spec, func() { s.runJob(s.runCtx, j) }); err != nil {
			return fmt.Errorf("job %s: %w", j.Name, err)
		}
	}
	return nil
}

// Start runs the tick and the jobs on their schedules until Stop. Runs of
// one job never overlap (a run still going when the next is due is skipped)
// and a panic is logged, never fatal.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cron != nil {
		return errors.New("scheduler already started")
	}
	logger := cronLogger{s.log}
	c := cron.New(
		cron.WithLocation(time.UTC),
		cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)),
	)
	s.runCtx, s.stopRun = context.WithCancel(context.WithoutCancel(ctx))
	for _, j := range append([]Job{s.tickJob()}, s.jobs...) {
		if _, err := c.AddFunc(j.Spec, func() { s.runJob(s.runCtx, j) }); err != nil {
			s.stopRun()
			return fmt.Errorf("job %s: %w", j.Name, err)
		}
	}
	c.Start()
	s.cron = c
	s.log.Info("scheduler started", "jobs", len(s.jobs)+1, "campaigns", len(s.cfg.Campaigns))
	return nil
}

// Stop stops the cron, waits for running jobs to finish (cancelling them
// when ctx ends first) and releases the leader lease.
func (s *Scheduler) Stop(ctx context.Context) {
	s.mu.Lock()
	c := s.cron
	s.mu.Unlock()
	if c != nil {
		done := c.Stop()
		select {
		case <-done.Done():
		case <-ctx.Done():
			s.stopRun()
			<-done.Done()
		}
		s.stopRun()
	}
	s.lease.Release(context.WithoutCancel(ctx))
	s.log.Info("scheduler stopped")
}

// runJob runs one job with its timeout, on the leader only when asked,
// recovering a panic, and logs what happened.
func (s *Scheduler) runJob(ctx context.Context, j Job) {
	timeout := j.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	rep := &report{}
	ctx = context.WithValue(ctx, reportKey{}, rep)
	start := time.Now()
	log := s.log.With("job", j.Name)
	defer func() {
		if r := recover(); r != nil {
			log.Error("job panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	run := func(ctx context.Context) error { return j.Run(ctx, s.cfg.Now()) }
	var err error
	if j.LeaderOnly {
		err = s.withLease(ctx, func(ctx context.Context, _ int64) error { return run(ctx) })
		if errors.Is(err, errNotLeader) {
			log.Debug("job skipped: not the leader")
			return
		}
	} else {
		err = run(ctx)
	}
	attrs := append([]any{"duration_ms", time.Since(start).Milliseconds()}, rep.attrs()...)
	switch {
	case err != nil:
		log.Error("job failed", append(attrs, "error", err)...)
	case !j.logsItself:
		log.Info("job done", attrs...)
	}
}

type reportKey struct{}

type report struct {
	mu sync.Mutex
	kv []any
}

func (r *report) attrs() []any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.kv
}

// Report adds key-value pairs (snake_case keys, no personal data) to the log
// line of the job running in ctx, so each job's line says what it did.
func Report(ctx context.Context, kv ...any) {
	if r, ok := ctx.Value(reportKey{}).(*report); ok {
		r.mu.Lock()
		r.kv = append(r.kv, kv...)
		r.mu.Unlock()
	}
}

// cronLogger lets robfig/cron log through slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append([]any{"error", err}, kv...)...)
}
