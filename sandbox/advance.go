package sandbox

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// maxStep is the longest single move of the clock while advancing: the
// scheduler plans a few days ahead, so it must run at least daily.
const maxStep = 24 * time.Hour

// advance moves the clock to now+d (a month is a calendar month) in steps,
// running the scheduler's pass and jobs at each step: at every instant a
// check-in opens, a reminder or expiry falls due or an alert's deadline
// passes, and at least daily. So what a real month holds (check-ins,
// reminders, expiry, escalations, retention) happens in order, in seconds.
func (s *Sandbox) advance(ctx context.Context, step string) error {
	s.busy.Lock()
	defer s.busy.Unlock()
	a := s.currentApp()
	if a == nil {
		return fmt.Errorf("the sandbox is restarting")
	}
	start := s.clock.Now()
	var end time.Time
	switch step {
	case "hour":
		end = start.Add(time.Hour)
	case "day":
		end = start.AddDate(0, 0, 1)
	case "week":
		end = start.AddDate(0, 0, 7)
	case "month":
		end = start.AddDate(0, 1, 0)
	default:
		return fmt.Errorf("step %q: expected hour, day, week or month", step)
	}
	for range 1000 {
		now := s.clock.Now()
		if !now.Before(end) {
			break
		}
		next := now.Add(maxStep)
		if end.Before(next) {
			next = end
		}
		if ev, ok, err := s.nextEvent(ctx, now); err != nil {
			return err
		} else if ok && ev.Before(next) {
			next = ev
		}
		s.clock.MoveTo(next)
		a.Scheduler.RunNow(ctx)
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	s.bump()
	return saveOffset(ctx, s.db, s.clock.Offset())
}

// nextEvent is the next instant after now at which the scheduler has
// something to do: a planned check-in to open, an open one to remind or
// expire, an open alert's deadline (SUIVI_ALERT_DEADLINES). It reads the
// scheduler's own rows; nothing is changed here.
func (s *Sandbox) nextEvent(ctx context.Context, now time.Time) (time.Time, bool, error) {
	var at sql.NullTime
	err := s.db.QueryRowContext(ctx, `
		SELECT least(
		    (SELECT min(open_at) FROM checkins WHERE status = 'planned' AND open_at > $1),
		    (SELECT min(next_action_at) FROM checkins WHERE status = 'open' AND next_action_at > $1))`, now).Scan(&at)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("next scheduler event: %w", err)
	}
	next, ok := at.Time, at.Valid
	for sev, d := range s.cfg.AlertDeadlines {
		if d <= 0 {
			continue
		}
		var due sql.NullTime
		err := s.db.QueryRowContext(ctx, `
			SELECT min(created_at) + $3 * interval '1 millisecond' FROM alerts
			WHERE status = 'open' AND severity = $1 AND created_at + $3 * interval '1 millisecond' > $2`,
			sev, now, d.Milliseconds()).Scan(&due)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("next alert deadline: %w", err)
		}
		if due.Valid && (!ok || due.Time.Before(next)) {
			next, ok = due.Time, true
		}
	}
	// A second past the instant, so what falls due then is due.
	return next.Add(time.Second), ok, nil
}

// bump tells the page something changed that the fake did not see.
func (s *Sandbox) bump() {
	s.mu.Lock()
	s.version++
	s.mu.Unlock()
}
