package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SyntheticPrefix starts the case reference of every generated returnee.
const SyntheticPrefix = "SYN-"

// ErrNotSynthetic refuses to add synthetic data to a database that holds
// real returnees.
var ErrNotSynthetic = errors.New("the database holds returnees that are not synthetic")

// Synthetic sizes generated data for measuring reports.
type Synthetic struct {
	Returnees int
	Answers   int
	Now       time.Time // returns fall in the 18 months before, answers in the 12 months before
	Force     bool      // add to a database that holds real returnees too
}

// GenerateSynthetic fills the database with made-up returnees (references
// SYN-000001…), their check-ins (12 each), answers spread over the year
// before Now in the order they arrive (as in production, where answers
// are appended as people give them) across every indicator the default
// flows record, the
// screening and survey scores that go with them, and alerts, in one
// transaction and with set-based SQL so a million answers take seconds.
// The random numbers are seeded: two runs give the same data.
func GenerateSynthetic(ctx context.Context, db *sql.DB, s Synthetic) error {
	if s.Returnees <= 0 || s.Answers < 0 {
		return fmt.Errorf("generate: --returnees must be above 0 and --answers 0 or more: %w", ErrInvalid)
	}
	return InTx(ctx, db, func(tx *sql.Tx) error {
		var real, synthetic int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE ref NOT LIKE 'SYN-%'), count(*) FILTER (WHERE ref LIKE 'SYN-%') FROM returnees`).
			Scan(&real, &synthetic); err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		if real > 0 && !s.Force {
			return fmt.Errorf("generate: %w (%d): use an empty database", ErrNotSynthetic, real)
		}
		steps := []struct {
			name  string
			query string
			args  []any
		}{
			{"seed", `SELECT setseed(0.42)`, nil},
			{"staff", `INSERT INTO staff (handle, name, role) VALUES ('synthetic.cw', 'Synthetic', 'caseworker') ON CONFLICT (handle) DO NOTHING`, nil},
			{"returnees", `
				INSERT INTO returnees (ref, sex, birth_date, return_date, host_country, region, programme, assistance, sector,
				                       vulnerabilities, caseworker_id, consent, created_at, updated_at)
				SELECT 'SYN-' || lpad((i + $3)::text, 6, '0'),
				       CASE WHEN random() < 0.15 THEN 'F' ELSE 'M' END,
				       ($1::date - ((18 + floor(random() * 40)) * 365.25)::int),
				       ($1::date - floor(random() * 548)::int),
				       (ARRAY['IT','IT','IT','GR','GR','ES','FR','DE','BE','NL','TR','LY','SE','CH'])[1 + floor(random() * 14)::int],
				       (ARRAY['Oriental','Casablanca-Settat','Fès-Meknès','Souss-Massa','Marrakech-Safi','Rabat-Salé-Kénitra',
				              'Tanger-Tétouan-Al Hoceïma','Béni Mellal-Khénifra'])[1 + floor(random() * 8)::int],
				       'AVRR', a.assistance,
				       CASE WHEN 'microproject' = ANY (a.assistance) THEN (ARRAY['agriculture','services','commerce'])[1 + floor(random() * 3)::int] ELSE '' END,
				       CASE WHEN random() < 0.05 THEN '{medical}'::text[] WHEN random() < 0.02 THEN '{trafficking}' ELSE '{}' END,
				       (SELECT id FROM staff WHERE handle = 'synthetic.cw'), 'accepted', $2, $2
				FROM generate_series(1, $4) i,
				LATERAL (SELECT CASE WHEN r < 0.45 THEN '{microproject}'::text[] WHEN r < 0.55 THEN '{material}' WHEN r < 0.65 THEN '{training}'
				                     ELSE '{}' END AS assistance FROM (SELECT random() + i * 0 AS r) x) a`,
				[]any{s.Now, s.Now, synthetic, s.Returnees}},
			{"checkins", `
				INSERT INTO checkins (returnee_id, flow_id, occurrence, month, due_date, due_at, open_at, status, opened_at, closed_at, created_at, updated_at)
				SELECT r.id, 'project_checkin', m - 1, m, r.return_date + m * 30, (r.return_date + m * 30)::timestamptz,
				       (r.return_date + m * 30)::timestamptz, st.status,
				       CASE WHEN st.status IN ('completed', 'missed') THEN (r.return_date + m * 30)::timestamptz END,
				       CASE WHEN st.status IN ('completed', 'missed') THEN (r.return_date + m * 30 + 1)::timestamptz END, $1, $1
				FROM returnees r, generate_series(1, 12) m,
				LATERAL (SELECT CASE WHEN x < 0.7 THEN 'completed' WHEN x < 0.9 THEN 'missed' WHEN x < 0.95 THEN 'skipped' ELSE 'cancelled' END AS status
				         FROM (SELECT random() + m * 0 + r.id * 0 AS x) y) st
				WHERE r.ref LIKE 'SYN-%' AND r.return_date + m * 30 <= $2::date
				ON CONFLICT DO NOTHING`, []any{s.Now, s.Now}},
			{"answers", `
				WITH ids AS (SELECT row_number() OVER (ORDER BY id) AS n, id FROM returnees WHERE ref LIKE 'SYN-%'),
				     g AS (SELECT i, i % 10 AS k, random() AS x, 1 + (i::bigint * 7919) % (SELECT count(*) FROM ids) AS n
				           FROM generate_series(1, $2) i)
				INSERT INTO answers (returnee_id, flow_id, question_id, value, score, dimension, indicator, answered_at)
				SELECT ids.id,
				       (ARRAY['project_checkin','project_checkin','project_checkin','wellbeing','wellbeing','reintegration_survey',
				              'reintegration_survey','reintegration_survey','reintegration_survey','satisfaction'])[k + 1],
				       (ARRAY['status','revenue','employees','who5','phq2','eco','soc','psy','remigration','overall'])[k + 1] || '_' || i,
				       CASE k WHEN 0 THEN jsonb_build_object('kind', 'option', 'option',
				                  (ARRAY['operating','operating','operating','paused','closed','not_started'])[1 + floor(x * 6)::int])
				              WHEN 1 THEN jsonb_build_object('kind', 'number', 'number', floor(x * 6000))
				              WHEN 2 THEN jsonb_build_object('kind', 'number', 'number', floor(x * 4))
				              WHEN 3 THEN jsonb_build_object('kind', 'number', 'number', floor(x * 6))
				              WHEN 4 THEN jsonb_build_object('kind', 'number', 'number', floor(x * 4))
				              WHEN 8 THEN jsonb_build_object('kind', 'option', 'option', (ARRAY['no','maybe','choice','necessity'])[1 + floor(x * 4)::int])
				              ELSE '{"kind": "option", "option": "a"}'::jsonb END,
				       CASE WHEN k IN (5, 6, 7) THEN round((x * 2)::numeric) / 2 WHEN k = 9 THEN floor(x * 5) / 4 END,
				       (ARRAY['','','','','','economic','social','psychosocial','',''])[k + 1],
				       (ARRAY['project_status','project_revenue','project_employees','who5_item','phq2_item','','','',
				              'remigration_intention','satisfaction_overall'])[k + 1],
				       $1::timestamptz - interval '365 days' + (i::float8 / $2) * interval '365 days' - random() * interval '1 hour'
				FROM g JOIN ids ON ids.n = g.n ORDER BY i`,
				[]any{s.Now, s.Answers}},
			{"scores", `
				INSERT INTO scores (returnee_id, flow_id, name, value, computed_at)
				SELECT r.id, f.flow_id, f.name, f.value, $1::timestamptz - random() * interval '365 days'
				FROM returnees r, generate_series(1, 3) n,
				LATERAL (VALUES ('wellbeing', 'who5_percent', floor(random() * 26) * 4 + n * 0),
				                ('wellbeing', 'phq2', floor(random() * 7)),
				                ('reintegration_survey', 'economic', random()), ('reintegration_survey', 'social', random()),
				                ('reintegration_survey', 'psychosocial', random()), ('reintegration_survey', 'composite', random()),
				                ('reintegration_survey', 'sustainable', round(random()))) f(flow_id, name, value)
				WHERE r.ref LIKE 'SYN-%'`, []any{s.Now}},
			{"alerts", `
				INSERT INTO alerts (returnee_id, category, severity, status, created_at, acknowledged_at, resolved_at, text_key, params)
				SELECT r.id, 'wellbeing', (ARRAY['urgent','high','medium','low'])[1 + floor(random() * 4)::int], 'resolved', c.at,
				       c.at + random() * interval '30 hours', c.at + interval '3 days', 'alert_legacy', '{"text": "synthetic"}'
				FROM returnees r, LATERAL (SELECT $1::timestamptz - random() * interval '365 days' + r.id * interval '0 s' AS at) c
				WHERE r.ref LIKE 'SYN-%' AND random() < 0.3`, []any{s.Now}},
		}
		for _, st := range steps {
			if _, err := tx.ExecContext(ctx, st.query, st.args...); err != nil {
				return fmt.Errorf("generate %s: %w", st.name, err)
			}
		}
		return nil
	})
}
