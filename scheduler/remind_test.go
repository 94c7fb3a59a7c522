package scheduler

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// events records, per check-in, when it was opened, reminded and closed,
// as seen after each simulated tick.
type events struct {
	opened, closed map[int64]time.Time
	reminded       map[int64][]time.Time
	status         map[int64]string
}

func (e *testEnv) watch(t testing.TB) (*events, func(now time.Time)) {
	ev := &events{opened: map[int64]time.Time{}, closed: map[int64]time.Time{}, reminded: map[int64][]time.Time{}, status: map[int64]string{}}
	return ev, func(now time.Time) {
		rows, err := e.db.Query(`SELECT id, status, reminders FROM checkins WHERE opened_at IS NOT NULL`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var status string
			var n int
			if err := rows.Scan(&id, &status, &n); err != nil {
				t.Fatal(err)
			}
			if _, ok := ev.opened[id]; !ok {
				ev.opened[id] = now
			}
			for len(ev.reminded[id]) < n {
				ev.reminded[id] = append(ev.reminded[id], now)
			}
			if status != "open" && ev.status[id] != status {
				ev.closed[id], ev.status[id] = now, status
			}
		}
	}
}

// TestRemindersThenExpiry: reminders 24 h and 48 h after opening, inside
// the window; expiry at 72 h counts as missed.
func TestRemindersThenExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, func(c *Config) { c.Campaigns = []Campaign{{FlowID: "project", Months: []int{1}}} })
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 20; i++ {
		addReturnee(t, e.db, returnee{ReturnDate: date(2025, 5, 2+i%5)})
	}
	ev, watch := e.watch(t)
	e.simulate(t, []*Scheduler{s}, start, start.AddDate(0, 0, 12), watch)
	if len(ev.opened) != 20 {
		t.Fatalf("%d opened, want 20", len(ev.opened))
	}
	w := s.zones.window("", "10:00", "19:00")
	for id, at := range ev.opened {
		r := ev.reminded[id]
		if len(r) != 2 || !r[0].Equal(at.Add(24*time.Hour)) || !r[1].Equal(at.Add(48*time.Hour)) {
			t.Errorf("checkin %d opened %s: reminders at %v, want 24 h and 48 h later", id, at, r)
		}
		for _, x := range r {
			if !w.Contains(x) {
				t.Errorf("checkin %d reminded at %s, outside the window", id, x.In(w.Loc))
			}
		}
		if ev.status[id] != "missed" || !ev.closed[id].Equal(at.Add(72*time.Hour)) {
			t.Errorf("checkin %d: %s at %s, want missed 72 h after %s", id, ev.status[id], ev.closed[id], at)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM conversations WHERE status = 'expired'`); n != 20 {
		t.Errorf("%d conversations expired, want 20", n)
	}
	if n := e.count(t, `SELECT count(*) FROM outbox WHERE params->>'text' LIKE '%reminder%'`); n != 40 {
		t.Errorf("%d reminders queued, want 40", n)
	}
}

// TestReminderOutsideWindowWaitsForItsOpening: with a 10:00–12:00 window, a
// reminder point at 06:00–08:00 waits for 10:00.
func TestReminderOutsideWindowWaitsForItsOpening(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, func(c *Config) {
		c.Campaigns = []Campaign{{FlowID: "project", Months: []int{1}}}
		c.ReminderAfter = []time.Duration{20 * time.Hour, 44 * time.Hour}
	})
	loc := mustLoad(t, "Africa/Casablanca")
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 10; i++ {
		addReturnee(t, e.db, returnee{ReturnDate: date(2025, 5, 3), WindowStart: "10:00", WindowEnd: "12:00"})
	}
	ev, watch := e.watch(t)
	e.simulate(t, []*Scheduler{s}, start, start.AddDate(0, 0, 8), watch)
	if len(ev.opened) != 10 {
		t.Fatalf("%d opened, want 10", len(ev.opened))
	}
	for id, at := range ev.opened {
		r := ev.reminded[id]
		want1 := time.Date(2025, 6, 4, 10, 0, 0, 0, loc)
		want2 := time.Date(2025, 6, 5, 10, 0, 0, 0, loc)
		if len(r) != 2 || !r[0].Equal(want1) || !r[1].Equal(want2) {
			t.Errorf("checkin %d opened %s: reminders at %v, want %s and %s", id, at.In(loc), r, want1, want2)
		}
		if !ev.closed[id].Equal(at.Add(72 * time.Hour)) {
			t.Errorf("checkin %d expired at %s, want 72 h after opening", id, ev.closed[id])
		}
	}
}

// TestReminderAcrossSpringForward: opened in an 18:00–19:00 Paris window the
// day before clocks go forward; 24 h later it is 19:xx, outside, so the
// reminder waits for the next day's 18:00.
func TestReminderAcrossSpringForward(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, func(c *Config) { c.Campaigns = []Campaign{{FlowID: "project", Months: []int{2}}} })
	paris := mustLoad(t, "Europe/Paris")
	for i := 0; i < 5; i++ {
		addReturnee(t, e.db, returnee{ReturnDate: date(2025, 1, 29), Timezone: "Europe/Paris", WindowStart: "18:00", WindowEnd: "19:00"})
	}
	ev, watch := e.watch(t)
	start := time.Date(2025, 3, 27, 0, 0, 0, 0, time.UTC)
	e.simulate(t, []*Scheduler{s}, start, start.AddDate(0, 0, 6), watch)
	if len(ev.opened) != 5 {
		t.Fatalf("%d opened, want 5", len(ev.opened))
	}
	for id, at := range ev.opened {
		if d := dateOf(at.In(paris)); d != date(2025, 3, 29) {
			t.Fatalf("checkin %d opened %s, want on 2025-03-29", id, at.In(paris))
		}
		if r := ev.reminded[id]; len(r) == 0 || !r[0].Equal(time.Date(2025, 3, 31, 18, 0, 0, 0, paris)) {
			t.Errorf("checkin %d opened %s: first reminder %v, want 2025-03-31 18:00 CEST", id, at.In(paris), r)
		}
	}
}

// TestLostContactOncePerStreak: missed, missed (alert), missed, answered,
// missed, missed (second alert).
func TestLostContactOncePerStreak(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, func(c *Config) { c.Campaigns = []Campaign{{FlowID: "project", Months: []int{1, 2, 3, 4, 5, 6}}} })
	id := addReturnee(t, e.db, returnee{ReturnDate: date(2025, 1, 10)})
	other := addReturnee(t, e.db, returnee{ReturnDate: date(2025, 1, 10)})
	answer := func(now time.Time) {
		rows, err := e.db.Query(`SELECT id, returnee_id, month FROM checkins WHERE status = 'open'`)
		if err != nil {
			t.Fatal(err)
		}
		var done []int64
		for rows.Next() {
			var c, r int64
			var m int
			rows.Scan(&c, &r, &m)
			if r == other || m == 4 {
				done = append(done, c)
			}
		}
		rows.Close()
		for _, c := range done {
			e.complete(t, c, now)
		}
	}
	e.simulate(t, []*Scheduler{s}, time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 7, 25, 0, 0, 0, 0, time.UTC), answer)
	if n := e.count(t, `SELECT count(*) FROM checkins WHERE returnee_id = $1 AND status = 'missed'`, id); n != 5 {
		t.Fatalf("%d missed, want 5", n)
	}
	// The second streak finds the first alert still open: it becomes new
	// evidence of it, not a second alert.
	rows, err := e.db.Query(`SELECT a.severity, c.month, ev.kind FROM alerts a
		JOIN alert_events ev ON ev.alert_id = a.id
		JOIN checkins c ON c.conversation_id = COALESCE((ev.data->>'conversation_id')::bigint, a.conversation_id)
		WHERE a.returnee_id = $1 AND a.category = 'lost_contact' ORDER BY ev.id`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var sev, kind string
		var m int
		rows.Scan(&sev, &m, &kind)
		if sev != "medium" {
			t.Errorf("lost-contact alert of severity %s, want medium", sev)
		}
		got = append(got, fmt.Sprintf("%s %d", kind, m))
	}
	if strings.Join(got, ", ") != "raised 2, evidence 6" {
		t.Errorf("lost-contact alert events: %v, want raised at month 2, evidence at month 6", got)
	}
	if n := e.count(t, `SELECT count(*) FROM alerts WHERE returnee_id = $1 AND category = 'lost_contact'`, id); n != 1 {
		t.Errorf("%d lost-contact alerts, want 1", n)
	}
	if n := e.count(t, `SELECT count(*) FROM alerts WHERE returnee_id = $1`, other); n != 0 {
		t.Errorf("%d alerts for a returnee who always answers", n)
	}
}
