package scheduler

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/storage"
	"suivi/storage/storagetest"
)

// testCampaigns is the programme's usual schedule.
var testCampaigns = []Campaign{
	{FlowID: "project", Months: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
	{FlowID: "wellbeing", Months: []int{1, 3, 6, 9, 12}},
	{FlowID: "reintegration", Months: []int{6, 12}},
	{FlowID: "satisfaction", Months: []int{12}},
}

// testOpener does what the bot does, minimally: a conversation row and an
// outbox row on the bulk lane, in the scheduler's transaction.
type testOpener struct{}

func (testOpener) OpenCheckin(ctx context.Context, tx *sql.Tx, c storage.Checkin) (int64, error) {
	r, err := storage.LockReturnee(ctx, tx, c.ReturneeID) // as the bot does
	if err != nil {
		return 0, err
	}
	chatID := *r.ChatID
	var busy bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM conversations WHERE returnee_id = $1 AND status = 'active')`,
		c.ReturneeID).Scan(&busy); err != nil {
		return 0, err
	}
	if busy {
		return 0, fmt.Errorf("returnee %d is in another conversation: %w", c.ReturneeID, storage.ErrConflict)
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO conversations (returnee_id, flow_id, flow_version, status)
		VALUES ($1, $2, 1, 'active') RETURNING id`, c.ReturneeID, c.FlowID).Scan(&id); err != nil {
		return 0, err
	}
	return id, queue(ctx, tx, chatID, fmt.Sprintf("checkin %d open", c.ID))
}

func (testOpener) RemindCheckin(ctx context.Context, tx *sql.Tx, c storage.Checkin, n int) error {
	var chatID int64
	if err := tx.QueryRowContext(ctx, `SELECT chat_id FROM returnees WHERE id = $1`, c.ReturneeID).Scan(&chatID); err != nil {
		return err
	}
	return queue(ctx, tx, chatID, fmt.Sprintf("checkin %d reminder %d", c.ID, n))
}

func (testOpener) ExpireCheckin(ctx context.Context, tx *sql.Tx, c storage.Checkin) error {
	_, err := tx.ExecContext(ctx, `UPDATE conversations SET status = 'expired', finished_at = now() WHERE id = $1`, *c.ConversationID)
	return err
}

func queue(ctx context.Context, tx *sql.Tx, chatID int64, text string) error {
	params, _ := json.Marshal(map[string]any{"chat_id": chatID, "text": text})
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (chat_id, lane, method, params) VALUES ($1, 1, 'sendMessage', $2)`, chatID, params)
	return err
}

// returnee is a fixture; zero fields take usual values.
type returnee struct {
	Ref         string
	ReturnDate  time.Time
	Timezone    string
	WindowStart string
	WindowEnd   string
	Status      string
	PausedUntil *time.Time
	SafetyHold  bool
	Consent     string
}

var refSeq struct {
	sync.Mutex
	n int
}

func addReturnee(t testing.TB, db *sql.DB, r returnee) int64 {
	t.Helper()
	refSeq.Lock()
	refSeq.n++
	n := refSeq.n
	refSeq.Unlock()
	if r.Ref == "" {
		r.Ref = fmt.Sprintf("MA-%05d", n)
	}
	if r.WindowStart == "" {
		r.WindowStart, r.WindowEnd = "10:00", "19:00"
	}
	if r.Status == "" {
		r.Status = "active"
	}
	if r.Consent == "" {
		r.Consent = "accepted"
	}
	var id int64
	err := db.QueryRow(`
		INSERT INTO returnees (ref, sex, birth_date, return_date, host_country, telegram_id, chat_id, consent,
		                       timezone, window_start, window_end, status, paused_until, safety_hold)
		VALUES ($1, 'F', '1990-01-01', $2, 'LY', $3, $3, $4, $5, $6, $7, $8, $9, $10)
		RETURNING id`,
		r.Ref, r.ReturnDate.Format(time.DateOnly), 1000000+n, r.Consent, r.Timezone, r.WindowStart, r.WindowEnd,
		r.Status, r.PausedUntil, r.SafetyHold).Scan(&id)
	if err != nil {
		t.Fatalf("add returnee: %v", err)
	}
	return id
}

type testEnv struct {
	db     *sql.DB
	rdb    *redis.Client
	prefix string
}

func newEnv(t testing.TB) *testEnv {
	admin, dsn := storagetest.NewDatabase(t)
	// Simulations commit thousands of small transactions: without waiting
	// for each WAL flush they run several times faster. Durability is not
	// what these tests are about.
	if _, err := admin.Exec(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = off', current_database()); END $$`); err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	rdb, prefix := storagetest.NewRedis(t)
	return &testEnv{db: db, rdb: rdb, prefix: prefix}
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// scheduler builds an instance; edit adjusts its configuration.
func (e *testEnv) scheduler(t testing.TB, edit func(*Config)) *Scheduler {
	t.Helper()
	cfg := Config{
		DB: e.db, Redis: e.rdb, KeyPrefix: e.prefix, Campaigns: testCampaigns,
		DefaultTZ: mustLoad(t, "Africa/Casablanca"), Opener: testOpener{}, Logger: quiet,
	}
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.lease.Release(context.Background()) })
	return s
}

func (e *testEnv) tick(t testing.TB, s *Scheduler, now time.Time) {
	t.Helper()
	if err := s.Tick(context.Background(), now); err != nil {
		t.Fatalf("tick at %s: %v", now.UTC(), err)
	}
}

// nextEvent is the next instant anything is due: a planned opening, a
// reminder or expiry, or the next UTC midnight (planning moves forward).
func (e *testEnv) nextEvent(t testing.TB, now time.Time) time.Time {
	t.Helper()
	var next sql.NullTime
	if err := e.db.QueryRow(`
		SELECT min(at) FROM (
			SELECT min(open_at) AS at FROM checkins WHERE status = 'planned' AND open_at > $1
			UNION ALL
			SELECT min(next_action_at) FROM checkins WHERE status = 'open' AND next_action_at > $1) x`, now).Scan(&next); err != nil {
		t.Fatal(err)
	}
	at := dateOf(now.UTC()).AddDate(0, 0, 1)
	if next.Valid && next.Time.Before(at) {
		at = next.Time
	}
	if !at.After(now) {
		at = now.Add(time.Minute)
	}
	return at
}

// simulate ticks every scheduler from from to until, concurrently, at each
// instant something is due; after each round, answer may act as returnees.
func (e *testEnv) simulate(t testing.TB, scheds []*Scheduler, from, until time.Time, answer func(now time.Time)) int {
	t.Helper()
	rounds := 0
	for now := from; now.Before(until); now = e.nextEvent(t, now) {
		var wg sync.WaitGroup
		errs := make([]error, len(scheds))
		for i, s := range scheds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.Tick(context.Background(), now)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("tick at %s: %v", now.UTC(), err)
			}
		}
		if answer != nil {
			answer(now)
		}
		rounds++
	}
	return rounds
}

// complete answers a check-in the way the bot does when its conversation ends.
func (e *testEnv) complete(t testing.TB, checkinID int64, at time.Time) {
	t.Helper()
	err := storage.InTx(context.Background(), e.db, func(tx *sql.Tx) error {
		var conv int64
		if err := tx.QueryRow(`SELECT conversation_id FROM checkins WHERE id = $1`, checkinID).Scan(&conv); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE conversations SET status = 'completed', finished_at = $2 WHERE id = $1`, conv, at); err != nil {
			return err
		}
		return storage.CompleteCheckin(context.Background(), tx, conv, at)
	})
	if err != nil {
		t.Fatalf("complete checkin %d: %v", checkinID, err)
	}
}

// openCheckins lists the open check-ins' ids with their reminder counts.
func (e *testEnv) openCheckins(t testing.TB) map[int64]int {
	t.Helper()
	rows, err := e.db.Query(`SELECT id, reminders FROM checkins WHERE status = 'open'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		out[id] = n
	}
	return out
}

// answerByKind answers the open check-ins as each returnee's kind says:
// 0 answers at once, 1 never, 2 after the first reminder.
func (e *testEnv) answerByKind(t testing.TB, kind map[int64]int) func(now time.Time) {
	returneeOf := map[int64]int64{}
	return func(now time.Time) {
		for id, reminders := range e.openCheckins(t) {
			r, ok := returneeOf[id]
			if !ok {
				if err := e.db.QueryRow(`SELECT returnee_id FROM checkins WHERE id = $1`, id).Scan(&r); err != nil {
					t.Fatal(err)
				}
				returneeOf[id] = r
			}
			if kind[r] == 0 || (kind[r] == 2 && reminders >= 1) {
				e.complete(t, id, now)
			}
		}
	}
}

func (e *testEnv) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// openedRow is a check-in that was opened, with its returnee's window.
type openedRow struct {
	ID, ReturneeID   int64
	FlowID           string
	Month            int
	DueDate          time.Time
	OpenedAt         time.Time
	Timezone, WS, WE string
	Status           string
}

func (e *testEnv) opened(t testing.TB) []openedRow {
	t.Helper()
	rows, err := e.db.Query(`
		SELECT c.id, c.returnee_id, c.flow_id, c.month, c.due_date, c.opened_at, r.timezone,
		       to_char(r.window_start, 'HH24:MI'), to_char(r.window_end, 'HH24:MI'), c.status
		FROM checkins c JOIN returnees r ON r.id = c.returnee_id
		WHERE c.opened_at IS NOT NULL ORDER BY c.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []openedRow
	for rows.Next() {
		var o openedRow
		if err := rows.Scan(&o.ID, &o.ReturneeID, &o.FlowID, &o.Month, &o.DueDate, &o.OpenedAt, &o.Timezone, &o.WS, &o.WE, &o.Status); err != nil {
			t.Fatal(err)
		}
		o.DueDate = dateOf(o.DueDate)
		out = append(out, o)
	}
	return out
}

// checkOpenedInWindows asserts every opening happened inside the returnee's
// window, on or after the due date, with one conversation and one opener
// message each.
func (e *testEnv) checkOpenedInWindows(t testing.TB, s *Scheduler) []openedRow {
	t.Helper()
	rows := e.opened(t)
	for _, o := range rows {
		w := s.zones.window(o.Timezone, o.WS, o.WE)
		if !w.Contains(o.OpenedAt) {
			t.Errorf("checkin %d (%s month %d) opened at %s, outside %s–%s %s", o.ID, o.FlowID, o.Month,
				o.OpenedAt.In(w.Loc).Format(time.DateTime), o.WS, o.WE, w.Loc)
		}
		if local := dateOf(o.OpenedAt.In(w.Loc)); local.Before(o.DueDate) && !(w.End <= w.Start && local == o.DueDate.AddDate(0, 0, -1)) {
			t.Errorf("checkin %d opened on %s, before its due date %s", o.ID, local.Format(time.DateOnly), o.DueDate.Format(time.DateOnly))
		}
	}
	if n := e.count(t, `SELECT count(*) FROM conversations`); n != len(rows) {
		t.Errorf("%d conversations for %d opened check-ins: an opening was doubled", n, len(rows))
	}
	if n := e.count(t, `
		SELECT count(*) FROM (SELECT params->>'text' FROM outbox GROUP BY 1 HAVING count(*) > 1) x`); n != 0 {
		t.Errorf("%d outbox messages queued twice", n)
	}
	if n := e.count(t, `SELECT count(*) FROM outbox WHERE params->>'text' LIKE '%open'`); n != len(rows) {
		t.Errorf("%d opener messages for %d opened check-ins", n, len(rows))
	}
	return rows
}

// expectedOccurrences lists, per returnee, every occurrence due by the
// planner's date: what must exist exactly once.
func (e *testEnv) checkEveryOccurrenceOnce(t testing.TB, campaigns []Campaign) int {
	t.Helper()
	through, ok, err := storage.PlannedThrough(context.Background(), e.db)
	if err != nil || !ok {
		t.Fatalf("planned through: %v %v", ok, err)
	}
	rows, err := e.db.Query(`SELECT id, return_date FROM returnees WHERE consent = 'accepted' AND status <> 'deleted'`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for rows.Next() {
		var id int64
		var rd time.Time
		if err := rows.Scan(&id, &rd); err != nil {
			t.Fatal(err)
		}
		for _, c := range campaigns {
			for _, m := range c.Months {
				if !dueDate(dateOf(rd), m).After(through) {
					want[fmt.Sprintf("%d/%s/%d", id, c.FlowID, m)] = true
				}
			}
		}
	}
	rows.Close()
	got := map[string]int{}
	rows, err = e.db.Query(`SELECT returnee_id, flow_id, month FROM checkins`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var flow string
		var m int
		if err := rows.Scan(&id, &flow, &m); err != nil {
			t.Fatal(err)
		}
		got[fmt.Sprintf("%d/%s/%d", id, flow, m)]++
	}
	rows.Close()
	for k := range want {
		if got[k] != 1 {
			t.Errorf("occurrence %s exists %d times, want once", k, got[k])
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("occurrence %s planned beyond %s", k, through.Format(time.DateOnly))
		}
	}
	return len(want)
}
