package scheduler

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"suivi/storage"
)

func (e *testEnv) statusOf(t testing.TB, returneeID int64) string {
	t.Helper()
	var s string
	if err := e.db.QueryRow(`SELECT string_agg(status, ',' ORDER BY month) FROM checkins WHERE returnee_id = $1`, returneeID).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestReturneesWhoMayNotBeContacted: paused, stopped, unreachable and held
// returnees are neither opened nor counted as missed; their occurrence waits,
// and is skipped once past the horizon. A pause that is over, a hold lifted
// within the horizon: the occurrence opens in the next window.
func TestReturneesWhoMayNotBeContacted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, func(c *Config) { c.Campaigns = []Campaign{{FlowID: "project", Months: []int{1}}} })
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	rd := date(2025, 5, 3) // due 2025-06-03
	future, past := start.AddDate(1, 0, 0), start.Add(-time.Hour)
	paused := addReturnee(t, e.db, returnee{ReturnDate: rd, Status: "paused", PausedUntil: &future})
	pauseOver := addReturnee(t, e.db, returnee{ReturnDate: rd, Status: "paused", PausedUntil: &past})
	stopped := addReturnee(t, e.db, returnee{ReturnDate: rd, Status: "stopped"})
	unreachable := addReturnee(t, e.db, returnee{ReturnDate: rd, Status: "unreachable"})
	held := addReturnee(t, e.db, returnee{ReturnDate: rd, SafetyHold: true})
	heldThenLifted := addReturnee(t, e.db, returnee{ReturnDate: rd, SafetyHold: true})
	declined := addReturnee(t, e.db, returnee{ReturnDate: rd, Consent: "declined"})

	e.simulate(t, []*Scheduler{s}, start, start.AddDate(0, 0, 8), nil)
	for name, id := range map[string]int64{"paused": paused, "stopped": stopped, "unreachable": unreachable, "held": held, "held then lifted": heldThenLifted} {
		if got := e.statusOf(t, id); got != "planned" {
			t.Errorf("%s returnee: check-in %s, want planned (waiting)", name, got)
		}
	}
	if got := e.statusOf(t, pauseOver); got != "missed" {
		t.Errorf("returnee whose pause is over: check-in %s, want opened (then missed)", got)
	}
	if n := e.count(t, `SELECT count(*) FROM checkins WHERE returnee_id = $1`, declined); n != 0 {
		t.Errorf("returnee who declined has %d check-ins", n)
	}

	// The hold is lifted after 8 days, within the horizon: it opens once, in the next window.
	if _, err := e.db.Exec(`UPDATE returnees SET safety_hold = false WHERE id = $1`, heldThenLifted); err != nil {
		t.Fatal(err)
	}
	resume := start.AddDate(0, 0, 8)
	e.simulate(t, []*Scheduler{s}, resume, start.AddDate(0, 0, 20), nil)
	if n := e.count(t, `SELECT count(*) FROM checkins WHERE opened_at >= $1`, resume); n != 1 {
		t.Fatalf("%d opened after the hold was lifted, want 1", n)
	}
	if n := e.count(t, `SELECT count(*) FROM checkins WHERE opened_at >= $1 AND returnee_id = $2`, resume, heldThenLifted); n != 1 {
		t.Errorf("the returnee whose hold was lifted has %d check-ins opened", n)
	}
	for name, id := range map[string]int64{"paused": paused, "stopped": stopped, "unreachable": unreachable, "held": held} {
		if got := e.statusOf(t, id); got != "skipped" {
			t.Errorf("%s returnee past the horizon: check-in %s, want skipped", name, got)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM alerts`); n != 0 {
		t.Errorf("%d alerts raised for returnees who may not be contacted", n)
	}
	e.checkOpenedInWindows(t, s)
}

// TestPausedWhileOpen: a returnee who pauses in the middle of a check-in gets
// no reminder, and the check-in is skipped, not missed.
func TestPausedWhileOpen(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, func(c *Config) { c.Campaigns = []Campaign{{FlowID: "project", Months: []int{1, 2, 3}}} })
	id := addReturnee(t, e.db, returnee{ReturnDate: date(2025, 5, 3)})
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	e.simulate(t, []*Scheduler{s}, start, start.AddDate(0, 0, 3), nil)
	if got := e.statusOf(t, id); got != "open" {
		t.Fatalf("check-in %s, want open", got)
	}
	if _, err := e.db.Exec(`UPDATE returnees SET status = 'paused', paused_until = $2 WHERE id = $1`, id, start.AddDate(0, 0, 20)); err != nil {
		t.Fatal(err)
	}
	e.simulate(t, []*Scheduler{s}, start.AddDate(0, 0, 3), start.AddDate(0, 0, 7), nil)
	if got := e.statusOf(t, id); got != "skipped" {
		t.Errorf("check-in %s, want skipped", got)
	}
	if n := e.count(t, `SELECT count(*) FROM outbox WHERE params->>'text' LIKE '%reminder%'`); n != 0 {
		t.Errorf("%d reminders sent to a paused returnee", n)
	}
	// The pause ends: the next month's check-in opens normally (and, never
	// answered, is missed).
	e.simulate(t, []*Scheduler{s}, start.AddDate(0, 0, 7), start.AddDate(0, 1, 10), nil)
	if got := e.statusOf(t, id); got != "skipped,missed" {
		t.Errorf("check-ins %s after the pause", got)
	}
}

// TestBusyReturneeWaits: a returnee in another conversation (onboarding)
// keeps the check-in planned; it opens at the first tick after, however long
// that took, as long as it is inside the window.
func TestBusyReturneeWaits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, func(c *Config) { c.Campaigns = []Campaign{{FlowID: "project", Months: []int{1}}} })
	id := addReturnee(t, e.db, returnee{ReturnDate: date(2025, 5, 3), WindowStart: "00:00", WindowEnd: "00:00"})
	var conv int64
	if err := e.db.QueryRow(`INSERT INTO conversations (returnee_id, flow_id, flow_version) VALUES ($1, 'onboarding', 1) RETURNING id`, id).Scan(&conv); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 6, 2, 12, 0, 0, 0, time.UTC)
	e.tick(t, s, now)
	var openAt time.Time
	e.db.QueryRow(`SELECT open_at FROM checkins WHERE returnee_id = $1`, id).Scan(&openAt)
	for now = openAt; now.Before(openAt.Add(2 * time.Hour)); now = now.Add(time.Minute) {
		e.tick(t, s, now)
	}
	if got := e.statusOf(t, id); got != "planned" {
		t.Fatalf("check-in %s while the returnee is busy, want planned", got)
	}
	var attempts int
	var last time.Time
	e.db.QueryRow(`SELECT attempts, last_attempt_at FROM checkins WHERE returnee_id = $1`, id).Scan(&attempts, &last)
	if attempts != 0 || !last.Equal(now.Add(-time.Minute)) {
		t.Errorf("busy returnee: attempts %d, last attempt %s; want 0 failures, tried at every tick", attempts, last)
	}
	e.db.Exec(`UPDATE conversations SET status = 'completed' WHERE id = $1`, conv)
	e.tick(t, s, now)
	if got := e.statusOf(t, id); got != "open" {
		t.Errorf("check-in %s once the returnee is free, want open", got)
	}
}

// failingOpener fails every opening, as a broken flow would.
type failingOpener struct{ testOpener }

func (failingOpener) OpenCheckin(context.Context, *sql.Tx, storage.Checkin) (int64, error) {
	return 0, errors.New("flow definition missing")
}

// TestFailedOpeningBacksOff retries a failing opening with a growing delay,
// never inside one tick after the other.
func TestFailedOpeningBacksOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, func(c *Config) {
		c.Campaigns = []Campaign{{FlowID: "project", Months: []int{1}}}
		c.Opener = failingOpener{}
	})
	id := addReturnee(t, e.db, returnee{ReturnDate: date(2025, 5, 3), WindowStart: "00:00", WindowEnd: "00:00"})
	start := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	for now := start; now.Before(start.Add(48 * time.Hour)); now = now.Add(5 * time.Minute) {
		s.Tick(context.Background(), now)
	}
	attempts := e.count(t, `SELECT attempts FROM checkins WHERE returnee_id = $1`, id)
	if attempts < 3 || attempts > 16 {
		t.Errorf("%d attempts in two days, want a few with back-off", attempts)
	}
	if got := e.statusOf(t, id); got != "planned" {
		t.Errorf("check-in %s, want still planned", got)
	}
}

// TestChangesReplan: a new window re-plans the waiting check-ins in it; a
// deleted returnee's are cancelled.
func TestChangesReplan(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, func(c *Config) { c.Campaigns = []Campaign{{FlowID: "project", Months: []int{1, 2}}} })
	now := time.Date(2025, 6, 1, 6, 0, 0, 0, time.UTC)
	moved := addReturnee(t, e.db, returnee{ReturnDate: date(2025, 5, 2)})
	deleted := addReturnee(t, e.db, returnee{ReturnDate: date(2025, 5, 2)})
	e.tick(t, s, now)
	e.db.Exec(`UPDATE returnees SET window_start = '20:00', window_end = '21:00', timezone = 'Europe/Paris' WHERE id = $1`, moved)
	e.db.Exec(`UPDATE returnees SET status = 'deleted' WHERE id = $1`, deleted)
	e.tick(t, s, now.Add(time.Minute))
	var openAt time.Time
	e.db.QueryRow(`SELECT open_at FROM checkins WHERE returnee_id = $1 AND month = 1`, moved).Scan(&openAt)
	paris := mustLoad(t, "Europe/Paris")
	if l := openAt.In(paris); l.Hour() != 20 || dateOf(l) != date(2025, 6, 2) {
		t.Errorf("after the window changed, planned at %s, want 2025-06-02 20:xx Paris", l)
	}
	// The deleted returnee's check-in is never opened, and the next daily
	// pass cancels it.
	e.simulate(t, []*Scheduler{s}, now.Add(2*time.Minute), now.Add(20*time.Hour), nil)
	if got := e.statusOf(t, deleted); got != "cancelled" {
		t.Errorf("deleted returnee's check-in %s, want cancelled", got)
	}
	if n := e.count(t, `SELECT count(*) FROM checkins WHERE returnee_id = $1`, moved); n != 1 {
		t.Errorf("%d check-ins after re-planning, want 1", n)
	}
}

// TestConsentWithdrawnThenGiven: while consent is withdrawn nothing is
// opened; given again, the returnee is planned afresh with no occurrence
// lost or doubled: older than the horizon skipped, recent ones caught up.
func TestConsentWithdrawnThenGiven(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, func(c *Config) { c.Campaigns = []Campaign{{FlowID: "project", Months: []int{1, 2, 3, 4}}} })
	id := addReturnee(t, e.db, returnee{ReturnDate: date(2025, 3, 1)})
	answer := func(now time.Time) {
		for c := range e.openCheckins(t) {
			e.complete(t, c, now)
		}
	}
	start := time.Date(2025, 3, 28, 0, 0, 0, 0, time.UTC)
	e.simulate(t, []*Scheduler{s}, start, start.AddDate(0, 0, 6), answer) // month 1 (04-01) answered
	e.db.Exec(`UPDATE returnees SET consent = 'declined' WHERE id = $1`, id)
	e.simulate(t, []*Scheduler{s}, start.AddDate(0, 0, 6), time.Date(2025, 5, 25, 0, 0, 0, 0, time.UTC), answer)
	if got := e.statusOf(t, id); got != "completed" {
		t.Fatalf("while consent is withdrawn: %s, want only month 1 completed", got)
	}
	e.db.Exec(`UPDATE returnees SET consent = 'accepted' WHERE id = $1`, id)
	e.simulate(t, []*Scheduler{s}, time.Date(2025, 5, 25, 0, 0, 0, 0, time.UTC), time.Date(2025, 7, 10, 0, 0, 0, 0, time.UTC), answer)
	// Month 2 (05-01) is past the horizon; month 3 (06-01) and 4 (07-01) run.
	if got := e.statusOf(t, id); got != "completed,skipped,completed,completed" {
		t.Errorf("after consent given again: %s", got)
	}
	e.checkEveryOccurrenceOnce(t, s.cfg.Campaigns)
	e.checkOpenedInWindows(t, s)
}
