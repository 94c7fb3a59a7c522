package scheduler

import (
	"context"
	"testing"
	"time"
)

func TestParseRetention(t *testing.T) {
	now := time.Date(2028, 3, 31, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"24m":    time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC),
		"24mo":   time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC),
		"2y":     time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC),
		"730d":   time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC),
		"17520h": time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC),
	} {
		r, err := ParseRetention(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := r.Before(now); !got.Equal(want) {
			t.Errorf("%s before %s = %s, want %s", in, now, got, want)
		}
	}
	for _, bad := range []string{"", "0m", "-3m", "24 months", "1h", "m24", "24x"} {
		if _, err := ParseRetention(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

// TestErasureOnTheClock runs the retention job before and after the end of
// the retention of each follow-up: the day before nothing changes; the day
// after, the returnee is erased as by /delete (a tombstone with the case
// reference, answers kept only anonymous, with their flow and version) and
// the audit log says why.
func TestErasureOnTheClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	job := ErasureJob(e.db, testCampaigns, DefaultRetention)

	// Returned 2025-01-10: the schedule ends 2026-01-10, erasure after 2028-01-10.
	done := addReturnee(t, e.db, returnee{Ref: "MA-DONE", ReturnDate: date(2025, 1, 10)})
	var conv int64
	e.db.QueryRow(`INSERT INTO conversations (returnee_id, flow_id, flow_version, status, started_at, updated_at, finished_at)
		VALUES ($1, 'wellbeing', 2, 'completed', '2025-12-12', '2025-12-12', '2025-12-12') RETURNING id`, done).Scan(&conv)
	if _, err := e.db.Exec(`INSERT INTO answers (conversation_id, returnee_id, flow_id, flow_version, question_id, value, answered_at)
		VALUES ($1, $2, 'wellbeing', 2, 'cheerful', '{"kind":"choice","value":"3"}', '2025-12-12'),
		       ($1, $2, 'wellbeing', 2, 'note', '{"kind":"text","value":"private words"}', '2025-12-12')`, conv, done); err != nil {
		t.Fatal(err)
	}
	// Same return date, but a check-in answered late: its end counts.
	late := addReturnee(t, e.db, returnee{Ref: "MA-LATE", ReturnDate: date(2025, 1, 10)})
	e.db.Exec(`INSERT INTO conversations (returnee_id, flow_id, flow_version, status, started_at, updated_at, finished_at)
		VALUES ($1, 'satisfaction', 1, 'completed', '2026-02-20', '2026-02-20', '2026-02-20')`, late)
	// Stopped after four months: the follow-up ended then.
	stopped := addReturnee(t, e.db, returnee{Ref: "MA-STOP", ReturnDate: date(2025, 1, 10), Status: "stopped"})
	e.db.Exec(`UPDATE returnees SET updated_at = '2025-05-10' WHERE id = $1`, stopped)
	// Returned a year later: still within its retention throughout.
	recent := addReturnee(t, e.db, returnee{Ref: "MA-RECENT", ReturnDate: date(2026, 1, 10)})
	// Imported in 2027, never enrolled: kept 24 months from the import.
	imported := addReturnee(t, e.db, returnee{Ref: "MA-IMPORTED", ReturnDate: date(2025, 1, 10), Consent: "pending"})
	e.db.Exec(`UPDATE returnees SET created_at = '2027-01-01' WHERE id = $1`, imported)

	status := func(id int64) string {
		var s string
		e.db.QueryRow(`SELECT status FROM returnees WHERE id = $1`, id).Scan(&s)
		return s
	}
	run := func(now time.Time) {
		t.Helper()
		if err := job.Run(ctx, now); err != nil {
			t.Fatalf("erasure at %s: %v", now, err)
		}
	}

	run(time.Date(2027, 5, 9, 3, 0, 0, 0, time.UTC))
	for _, id := range []int64{done, late, stopped, recent} {
		if s := status(id); s == "deleted" {
			t.Errorf("returnee %d erased before the end of its retention", id)
		}
	}
	run(time.Date(2027, 5, 11, 3, 0, 0, 0, time.UTC))
	if status(stopped) != "deleted" {
		t.Error("the returnee who stopped is kept beyond 24 months after stopping")
	}
	run(time.Date(2028, 1, 9, 3, 0, 0, 0, time.UTC))
	if status(done) == "deleted" || status(late) == "deleted" {
		t.Error("erased the day before 24 months after the end of the schedule")
	}
	run(time.Date(2028, 1, 11, 3, 0, 0, 0, time.UTC))
	if status(done) != "deleted" {
		t.Error("not erased the day after 24 months after the end of the schedule")
	}
	if status(late) == "deleted" || status(recent) == "deleted" {
		t.Error("erased a returnee whose follow-up ended later")
	}
	run(time.Date(2028, 2, 21, 3, 0, 0, 0, time.UTC))
	if status(late) != "deleted" || status(recent) == "deleted" || status(imported) == "deleted" {
		t.Errorf("24 months after a late check-in: late %s, recent %s, imported %s", status(late), status(recent), status(imported))
	}
	run(time.Date(2029, 1, 2, 3, 0, 0, 0, time.UTC))
	if status(imported) != "deleted" {
		t.Error("a returnee imported and never enrolled is kept beyond 24 months after the import")
	}

	var sex, region *string
	var ref string
	e.db.QueryRow(`SELECT ref, sex, region FROM returnees WHERE id = $1`, done).Scan(&ref, &sex, &region)
	if ref != "MA-DONE" || sex != nil || *region != "" {
		t.Errorf("tombstone: ref %q sex %v region %v; want the reference alone", ref, sex, region)
	}
	if n := e.count(t, `SELECT count(*) FROM answers WHERE returnee_id IS NOT NULL OR conversation_id IS NOT NULL`); n != 0 {
		t.Errorf("%d answers still tied to a person", n)
	}
	if n := e.count(t, `SELECT count(*) FROM answers WHERE flow_id = 'wellbeing' AND flow_version = 2 AND question_id = 'cheerful'`); n != 1 {
		t.Errorf("%d anonymous choice answers kept with their flow version, want 1", n)
	}
	if n := e.count(t, `SELECT count(*) FROM answers WHERE value->>'kind' = 'text'`); n != 0 {
		t.Errorf("%d free-text answers kept", n)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE action = 'erase' AND detail->>'by' = 'retention'`); n != 4 {
		t.Errorf("%d audit entries for erasure by retention, want 4", n)
	}
	// Running again changes nothing.
	run(time.Date(2029, 1, 3, 3, 0, 0, 0, time.UTC))
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE action = 'erase'`); n != 4 {
		t.Errorf("%d audit entries after a second run, want 4", n)
	}
	if status(recent) == "deleted" {
		t.Error("the returnee back in 2026 was erased before 2030")
	}
}
