package scheduler

import (
	"testing"
	"time"
)

// profiles mixes zones (negative DST, southern hemisphere, half-hour offset,
// none) and windows (a night window across the spring-forward gap, one past
// midnight, a one-hour one).
var profiles = []struct{ tz, start, end string }{
	{"", "10:00", "19:00"},
	{"Europe/Paris", "01:30", "03:30"},
	{"America/New_York", "08:00", "12:00"},
	{"Africa/Casablanca", "18:00", "22:00"},
	{"Asia/Tokyo", "22:00", "01:00"},
	{"Pacific/Auckland", "09:00", "17:00"},
	{"Asia/Kolkata", "12:00", "13:00"},
}

// TestSimulatedYear runs a year and a month of schedule for 50 returnees:
// every occurrence exists once, every opening is inside the window, one in
// three returnees answers at once, one after the first reminder, one never
// (and gets exactly one lost-contact alert).
func TestSimulatedYear(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, nil)
	start := time.Date(2025, 1, 15, 6, 0, 0, 0, time.UTC)
	kind := map[int64]int{}
	for i := 0; i < 50; i++ {
		p := profiles[i%len(profiles)]
		id := addReturnee(t, e.db, returnee{
			ReturnDate: dateOf(start).AddDate(0, 0, -60+i*2), // some occurrences long past, some just past
			Timezone:   p.tz, WindowStart: p.start, WindowEnd: p.end,
		})
		kind[id] = i % 3
	}
	answer := e.answerByKind(t, kind)
	rounds := e.simulate(t, []*Scheduler{s}, start, start.AddDate(1, 1, 0), answer)

	want := e.checkEveryOccurrenceOnce(t, testCampaigns)
	opened := e.checkOpenedInWindows(t, s)
	t.Logf("%d rounds, %d occurrences, %d opened", rounds, want, len(opened))
	if len(opened) < 800 {
		t.Errorf("only %d check-ins opened in a year for 50 returnees", len(opened))
	}
	// Occurrences past the horizon at the start are skipped; the rest run,
	// except one caught up at the edge that waited behind another one.
	horizon := start.Add(-s.cfg.Horizon)
	if n := e.count(t, `SELECT count(*) FROM checkins WHERE status = 'skipped' AND due_at >= $1`, horizon.AddDate(0, 0, 7)); n != 0 {
		t.Errorf("%d check-ins skipped though due within the horizon", n)
	}
	if n := e.count(t, `SELECT count(*) FROM checkins WHERE status = 'skipped' AND due_at < $1`, horizon); n == 0 {
		t.Error("no occurrence before the horizon was recorded as skipped")
	}
	if n := e.count(t, `SELECT count(*) FROM checkins WHERE status IN ('planned', 'open') AND due_date < $1`, start.AddDate(1, 0, 0)); n != 0 {
		t.Errorf("%d check-ins due before the last month still not done", n)
	}
	for id, k := range kind {
		missed := e.count(t, `SELECT count(*) FROM checkins WHERE returnee_id = $1 AND status = 'missed'`, id)
		alerts := e.count(t, `SELECT count(*) FROM alerts WHERE returnee_id = $1 AND category = 'lost_contact'`, id)
		reminders := e.count(t, `SELECT count(*) FROM outbox o JOIN checkins c ON o.params->>'text' LIKE 'checkin ' || c.id || ' reminder%' WHERE c.returnee_id = $1`, id)
		switch k {
		case 0:
			if missed != 0 || alerts != 0 || reminders != 0 {
				t.Errorf("returnee %d answers at once: %d missed, %d alerts, %d reminders", id, missed, alerts, reminders)
			}
		case 1:
			if missed < 10 || alerts != 1 {
				t.Errorf("returnee %d never answers: %d missed, %d lost-contact alerts (want one)", id, missed, alerts)
			}
		case 2:
			if missed != 0 || alerts != 0 || reminders == 0 {
				t.Errorf("returnee %d answers after a reminder: %d missed, %d alerts, %d reminders", id, missed, alerts, reminders)
			}
		}
	}
}
