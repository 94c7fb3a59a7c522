package report

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"suivi/storage"
	"suivi/storage/storagetest"
)

var q2 = Period{From: time.Date(2018, 4, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2018, 6, 30, 0, 0, 0, 0, time.UTC)}

func exec(t *testing.T, db *sql.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// seedFollowUp stores twelve micro-project holders (six women in Oriental,
// six men in Souss-Massa, returned in January 2018) and what they did in
// 2018 Q2: check-ins, project answers, WHO-5 screenings, a survey, alerts.
func seedFollowUp(t *testing.T, db *sql.DB) {
	t.Helper()
	exec(t, db, `INSERT INTO staff (handle, role) VALUES ('cw.salma', 'caseworker'), ('cw.youssef', 'caseworker')`)
	exec(t, db, `
		INSERT INTO returnees (ref, sex, birth_date, return_date, host_country, region, programme, assistance, sector, caseworker_id, consent)
		SELECT 'R-' || i, CASE WHEN i <= 6 THEN 'F' ELSE 'M' END, '1990-01-01', '2018-01-15', 'IT',
		       CASE WHEN i <= 6 THEN 'Oriental' ELSE 'Souss-Massa' END, 'AVRR', '{microproject}', 'commerce',
		       (SELECT id FROM staff WHERE handle = CASE WHEN i <= 6 THEN 'cw.salma' ELSE 'cw.youssef' END), 'accepted'
		FROM generate_series(1, 12) i`)
	// Check-ins due in May: R-1..R-8 completed, R-9 and R-10 missed, R-11
	// skipped (paused), R-12 cancelled; one in March (outside) completed.
	exec(t, db, `
		INSERT INTO checkins (returnee_id, flow_id, occurrence, month, due_date, due_at, open_at, status, opened_at)
		SELECT r.id, 'project_checkin', 3, 4, '2018-05-15', '2018-05-15 10:00Z', '2018-05-15 10:00Z',
		       CASE WHEN n <= 8 THEN 'completed' WHEN n <= 10 THEN 'missed' WHEN n = 11 THEN 'skipped' ELSE 'cancelled' END,
		       CASE WHEN n <= 10 THEN timestamptz '2018-05-15 10:00Z' END
		FROM (SELECT id, substr(ref, 3)::int AS n FROM returnees) r`)
	exec(t, db, `
		INSERT INTO checkins (returnee_id, flow_id, occurrence, month, due_date, due_at, open_at, status, opened_at)
		SELECT id, 'project_checkin', 1, 2, '2018-03-15', '2018-03-15 10:00Z', '2018-03-15 10:00Z', 'missed', '2018-03-15 10:00Z'
		FROM returnees`)
	// Project status: everyone answered "closed" in April; in June R-1..R-9
	// answered "operating" with revenue 1000 × n and n employees.
	exec(t, db, `
		INSERT INTO answers (returnee_id, flow_id, question_id, value, indicator, answered_at)
		SELECT id, 'project_checkin', 'status-apr', '{"kind":"option","option":"closed"}', 'project_status', '2018-04-20 12:00Z'
		FROM returnees`)
	exec(t, db, `
		INSERT INTO answers (returnee_id, flow_id, question_id, value, indicator, answered_at)
		SELECT r.id, 'project_checkin', q.id, q.value::jsonb, q.indicator, '2018-06-20 12:00Z'
		FROM (SELECT id, substr(ref, 3)::int AS n FROM returnees) r,
		LATERAL (VALUES ('status', '{"kind":"option","option":"operating"}', 'project_status'),
		                ('revenue', '{"kind":"number","number":' || 1000 * r.n || '}', 'project_revenue'),
		                ('employees', '{"kind":"number","number":' || r.n || '}', 'project_employees')) q(id, value, indicator)
		WHERE r.n <= 9`)
	// WHO-5: each woman screened in January (40) and June (60); each man
	// in June at 20; PHQ-2 of 4 for the men.
	exec(t, db, `
		INSERT INTO scores (returnee_id, flow_id, name, value, computed_at)
		SELECT id, 'wellbeing', 'who5_percent', 40, timestamptz '2018-01-20Z' FROM returnees WHERE sex = 'F'
		UNION ALL SELECT id, 'wellbeing', 'who5_percent', 60, '2018-06-01Z' FROM returnees WHERE sex = 'F'
		UNION ALL SELECT id, 'wellbeing', 'who5_percent', 20, '2018-06-01Z' FROM returnees WHERE sex = 'M'
		UNION ALL SELECT id, 'wellbeing', 'phq2', 4, '2018-06-01Z' FROM returnees WHERE sex = 'M'`)
	// Reintegration surveys in May: women composite 0.8 (sustainable),
	// men 0.4 (below the threshold); economic 1 for all. Remigration: the
	// men by necessity, the women not. Satisfaction: score 1 (5 of 5) for
	// the women, 0.5 (3 of 5) for the men.
	exec(t, db, `
		INSERT INTO scores (returnee_id, flow_id, name, value, computed_at)
		SELECT id, 'reintegration_survey', n.name, CASE n.name WHEN 'economic' THEN 1
		           WHEN 'sustainable' THEN CASE WHEN sex = 'F' THEN 1 ELSE 0 END
		           ELSE CASE WHEN sex = 'F' THEN 0.8 ELSE 0.4 END END, timestamptz '2018-05-20Z'
		FROM returnees, (VALUES ('economic'), ('social'), ('psychosocial'), ('composite'), ('sustainable')) n(name)`)
	exec(t, db, `
		INSERT INTO answers (returnee_id, flow_id, question_id, value, score, indicator, answered_at)
		SELECT id, 'reintegration_survey', 'remigration',
		       jsonb_build_object('kind', 'option', 'option', CASE WHEN sex = 'F' THEN 'no' ELSE 'necessity' END), NULL::float8,
		       'remigration_intention', timestamptz '2018-05-20Z' FROM returnees
		UNION ALL
		SELECT id, 'satisfaction', 'overall', '{"kind":"option","option":"x"}', CASE WHEN sex = 'F' THEN 1 ELSE 0.5 END,
		       'satisfaction_overall', '2018-05-21Z' FROM returnees`)
	// Alerts in Q2: one high per man, acknowledged after n hours.
	exec(t, db, `
		INSERT INTO alerts (returnee_id, category, severity, status, created_at, acknowledged_at)
		SELECT id, 'wellbeing', 'high', 'acknowledged', '2018-06-01 10:00Z', timestamptz '2018-06-01 10:00Z' + (substr(ref, 3)::int - 6) * interval '1 hour'
		FROM returnees WHERE sex = 'M'`)
}

func buildQ2(t *testing.T, db *sql.DB, show bool) *Factsheet {
	t.Helper()
	f, err := Build(context.Background(), db, Params{Period: q2, ShowSmallCells: show, Now: time.Date(2018, 7, 2, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFollowUpIndicators(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	seedFollowUp(t, db)
	f := buildQ2(t, db, false)
	tot := f.FollowUp.Total
	wantCount(t, "sent", tot.Reach.Sent, 10)
	wantCount(t, "completed", tot.Reach.Completed, 8)
	wantCount(t, "missed", tot.Reach.Missed, 2)
	wantStat(t, "response rate", tot.Reach.ResponseRate, 0.8)
	wantCount(t, "holders", tot.Project.Holders, 12)
	wantStat(t, "survival", tot.Project.Survival, 0.75)
	wantStat(t, "revenue median", tot.Project.RevenueMedian, 5000)
	wantCount(t, "jobs", tot.Project.JobsCreated, 45)
	if len(tot.Project.RevenueTrend) != 1 || tot.Project.RevenueTrend[0].Month != "2018-06" {
		t.Errorf("revenue trend %+v", tot.Project.RevenueTrend)
	}
	wantStat(t, "WHO-5 mean", tot.Wellbeing.WHO5Mean, 40)
	wantStat(t, "WHO-5 below 50", tot.Wellbeing.Below50, 0.5)
	wantStat(t, "WHO-5 at most 28", tot.Wellbeing.AtMost28, 0.5)
	wantStat(t, "PHQ-2 positive", tot.Wellbeing.PHQ2Pos, 1)
	wantStat(t, "WHO-5 change", tot.Wellbeing.Change, 20)
	wantCount(t, "surveys", tot.Reintegration.Surveys, 12)
	wantStat(t, "economic", tot.Reintegration.Economic, 1)
	wantStat(t, "composite", tot.Reintegration.Composite, 0.6)
	wantStat(t, "below threshold", tot.Reintegration.BelowShare, 0.5)
	wantStat(t, "remigration by necessity", tot.Reintegration.RemigrationBy, 0.5)
	wantCount(t, "satisfaction answers", tot.Satisfaction.Answers, 12)
	wantStat(t, "satisfaction", tot.Satisfaction.Mean, 4)
	wantStat(t, "women's satisfaction", f.FollowUp.Breakdown["sex"]["F"].Satisfaction.Mean, 5)
	wantStat(t, "men's composite", f.FollowUp.Breakdown["sex"]["M"].Reintegration.Composite, 0.4)
	wantCount(t, "alerts opened", tot.Alerts.Opened, 6)
	wantCount(t, "alerts acknowledged", tot.Alerts.Acknowledged, 6)
	wantStat(t, "high p50", tot.Alerts.BySeverity["high"].P50, 3.5)
	wantStat(t, "high p90", tot.Alerts.BySeverity["high"].P90, 5.5)

	women := f.FollowUp.Breakdown["sex"]["F"]
	wantStat(t, "women's response rate", women.Reach.ResponseRate, 1)
	wantStat(t, "women's WHO-5 mean", women.Wellbeing.WHO5Mean, 60)
	men := f.FollowUp.Breakdown["region"]["Souss-Massa"]
	wantStat(t, "Souss-Massa response rate", men.Reach.ResponseRate, 0.5)
	// Two completed check-ins among the men: a count under 5, hidden.
	if !men.Reach.Completed.Hidden || !men.Reach.Missed.Hidden {
		t.Errorf("Souss-Massa's completed and missed (2 each) are shown to managers: %+v", men.Reach)
	}
	if !contains(f.Suppressed, "follow_up.breakdown.region.Souss-Massa.reach.completed") {
		t.Errorf("suppressed paths: %v", f.Suppressed)
	}
	if full := buildQ2(t, db, true); full.FollowUp.Breakdown["region"]["Souss-Massa"].Reach.Completed.Hidden || len(full.Suppressed) != 0 {
		t.Error("small cells hidden from a report that shows them")
	}
}

// A returnee's erasure leaves the period's reach and response rate as they
// were, and takes their success story away.
func TestFollowUpAfterErasure(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	seedFollowUp(t, db)
	before := buildQ2(t, db, true).FollowUp.Total.Reach
	exec(t, db, `INSERT INTO success_stories (returnee_id, title, text, told_on, consented)
		SELECT id, 'R. 1', 'A story.', '2018-05-01', true FROM returnees WHERE ref = 'R-1'`)
	for _, ref := range []string{"R-1", "R-9"} {
		if err := storage.InTx(context.Background(), db, func(tx *sql.Tx) error {
			var id int64
			if err := tx.QueryRow(`SELECT id FROM returnees WHERE ref = $1`, ref).Scan(&id); err != nil {
				return err
			}
			return storage.EraseReturnee(context.Background(), tx, id)
		}); err != nil {
			t.Fatal(err)
		}
	}
	f := buildQ2(t, db, true)
	after := f.FollowUp.Total.Reach
	if f.Period.Story != nil {
		t.Errorf("an erased person's success story is still published: %+v", f.Period.Story)
	}
	if before.Sent != after.Sent || before.Completed != after.Completed || before.Missed != after.Missed || before.ResponseRate.Value != after.ResponseRate.Value {
		t.Errorf("reach before erasure %+v, after %+v", before, after)
	}
}

func wantCount(t *testing.T, name string, c Count, want int) {
	t.Helper()
	if c.N != want {
		t.Errorf("%s = %d, want %d", name, c.N, want)
	}
}

func wantStat(t *testing.T, name string, s Stat, want float64) {
	t.Helper()
	if !s.Valid || round(s.Value, 6) != want {
		t.Errorf("%s = %+v, want %v", name, s, want)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
