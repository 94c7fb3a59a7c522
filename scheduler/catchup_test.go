package scheduler

import (
	"testing"
	"time"
)

// TestCatchUpAfterDowntime stops every replica for three days: afterwards
// each missed occurrence opens once, in the next window, spread over it.
func TestCatchUpAfterDowntime(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, func(c *Config) { c.Campaigns = []Campaign{{FlowID: "project", Months: []int{1, 2}}} })
	loc := mustLoad(t, "Africa/Casablanca")
	down := time.Date(2025, 6, 10, 6, 0, 0, 0, time.UTC) // 07:00 in Casablanca, before the window
	for i := 0; i < 300; i++ {
		// Month 1 falls on the three days of downtime.
		addReturnee(t, e.db, returnee{ReturnDate: dateOf(down).AddDate(0, -1, i%3)})
	}
	e.tick(t, s, down) // plans the first days ahead, then the replicas stop
	if n := e.count(t, `SELECT count(*) FROM checkins`); n == 0 {
		t.Fatal("nothing planned before the downtime")
	}
	resume := time.Date(2025, 6, 13, 12, 0, 0, 0, time.UTC) // 13:00 in Casablanca
	answer := func(now time.Time) {
		for id := range e.openCheckins(t) {
			e.complete(t, id, now)
		}
	}
	e.simulate(t, []*Scheduler{s}, resume, resume.Add(48*time.Hour), answer)

	opened := e.checkOpenedInWindows(t, s)
	if len(opened) != 300 {
		t.Fatalf("%d check-ins opened after the downtime, want 300", len(opened))
	}
	windowEnd := time.Date(2025, 6, 13, 19, 0, 0, 0, loc)
	perMinute := map[time.Time]int{}
	for _, o := range opened {
		if o.OpenedAt.Before(resume) || o.OpenedAt.After(windowEnd) {
			t.Errorf("checkin %d opened at %s, want in the window after %s", o.ID, o.OpenedAt.In(loc), resume.In(loc))
		}
		perMinute[o.OpenedAt.Truncate(time.Minute)]++
	}
	busiest := 0
	for _, n := range perMinute {
		busiest = max(busiest, n)
	}
	if len(perMinute) < 150 || busiest > 6 {
		t.Errorf("300 catch-ups in %d distinct minutes, up to %d in one: a flood", len(perMinute), busiest)
	}
	if n := e.count(t, `SELECT count(*) FROM checkins WHERE status = 'skipped'`); n != 0 {
		t.Errorf("%d skipped after a downtime shorter than the horizon", n)
	}
}

// TestDowntimeBeyondHorizon stops for 20 days: occurrences older than the
// 14-day horizon are recorded as skipped, the newer ones caught up.
func TestDowntimeBeyondHorizon(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, func(c *Config) { c.Campaigns = []Campaign{{FlowID: "project", Months: []int{1, 2}}} })
	down := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 40; i++ {
		addReturnee(t, e.db, returnee{ReturnDate: dateOf(down).AddDate(0, -1, i/2)}) // due over 20 days
	}
	e.tick(t, s, down)
	resume := down.AddDate(0, 0, 21)
	answer := func(now time.Time) {
		for id := range e.openCheckins(t) {
			e.complete(t, id, now)
		}
	}
	e.simulate(t, []*Scheduler{s}, resume, resume.Add(48*time.Hour), answer)

	cutoff := resume.Add(-s.cfg.Horizon)
	if n := e.count(t, `SELECT count(*) FROM checkins WHERE month = 1 AND due_at < $1 AND status <> 'skipped'`, cutoff); n != 0 {
		t.Errorf("%d occurrences older than the horizon not skipped", n)
	}
	if n := e.count(t, `SELECT count(*) FROM checkins WHERE month = 1 AND due_at < $1 AND status = 'skipped'`, cutoff); n == 0 {
		t.Error("no occurrence recorded as skipped")
	}
	if n := e.count(t, `SELECT count(*) FROM checkins WHERE month = 1 AND due_at >= $1 AND status <> 'completed'`, cutoff); n != 0 {
		t.Errorf("%d occurrences within the horizon not caught up", n)
	}
	e.checkEveryOccurrenceOnce(t, s.cfg.Campaigns)
	e.checkOpenedInWindows(t, s)
}
