package report

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Every follow-up query groups its rows by the same grouping sets: the
// total and each dimension of report_dimensions (alias d). GROUPING() gives
// a bit mask of the columns left out, which says which set a row is about.
const (
	dimCols     = `d.sex, d.age_band, d.region, d.host_country, d.programme, d.sector`
	groupSelect = `GROUPING(` + dimCols + `), COALESCE(` + dimCols + `)`
	groupBy     = ` GROUP BY GROUPING SETS ((), (d.sex), (d.age_band), (d.region), (d.host_country), (d.programme), (d.sector))`
	// dims is report_dimensions computed once per query: the planner then
	// hash-joins it instead of looking each returnee up per row.
	dims = `dims AS MATERIALIZED (SELECT * FROM report_dimensions)`
	// dimFilter keeps the report's scope; rows of erased people (no d)
	// count only in an unfiltered total. $1 programme, $2 region, $3 case
	// worker id; $4 and $5 bound the period as instants [from, to+1 day).
	dimFilter = ` ($1::text = '' OR d.programme = $1) AND ($2::text = '' OR d.region = $2) AND ($3::bigint = 0 OR d.caseworker_id = $3) `
)

// followUpQueries fill the indicators from each grouped row's metrics.
var followUpQueries = []struct {
	name  string
	query string
	fill  func(ind *Indicators, m []sql.NullFloat64)
}{
	{"reach", `
		WITH ` + dims + `,
		     per AS (
		    SELECT c.returnee_id, count(*) FILTER (WHERE c.opened) AS sent,
		           count(*) FILTER (WHERE c.status = 'completed') AS completed, count(*) FILTER (WHERE c.status = 'missed') AS missed
		    FROM (SELECT returnee_id, due_date, status, opened_at IS NOT NULL AS opened FROM checkins
		          UNION ALL SELECT NULL, due_date, status, opened FROM statistical_checkins) c
		    WHERE c.due_date >= $4::date AND c.due_date < $5::date
		    GROUP BY c.returnee_id)
		SELECT ` + groupSelect + `, count(per.returnee_id), sum(sent), sum(completed), sum(missed)
		FROM per LEFT JOIN dims d ON d.returnee_id = per.returnee_id
		WHERE` + dimFilter + groupBy,
		fillReach},
	{"project", `
		WITH ` + dims + `,
		     s AS (SELECT DISTINCT ON (returnee_id) returnee_id, option FROM report_answer_facts
		           WHERE indicator = 'project_status' AND kind = 'option' AND returnee_id IS NOT NULL
		             AND answered_at >= $4 AND answered_at < $5 ORDER BY returnee_id, answered_at DESC),
		     e AS (SELECT DISTINCT ON (returnee_id) returnee_id, number FROM report_answer_facts
		           WHERE indicator = 'project_employees' AND kind = 'number' AND returnee_id IS NOT NULL
		             AND answered_at >= $4 AND answered_at < $5 ORDER BY returnee_id, answered_at DESC)
		SELECT ` + groupSelect + `, count(*), count(*) FILTER (WHERE s.option = 'operating'),
		       sum(e.number) FILTER (WHERE s.option = 'operating')
		FROM s JOIN dims d ON d.returnee_id = s.returnee_id LEFT JOIN e ON e.returnee_id = s.returnee_id
		WHERE d.microproject AND` + dimFilter + groupBy,
		fillProject},
	{"revenue", `
		WITH ` + dims + `
		SELECT ` + groupSelect + `, percentile_cont(0.5) WITHIN GROUP (ORDER BY a.number), count(DISTINCT a.returnee_id)
		FROM report_answer_facts a LEFT JOIN dims d ON d.returnee_id = a.returnee_id
		WHERE a.indicator = 'project_revenue' AND a.number IS NOT NULL AND a.answered_at >= $4 AND a.answered_at < $5
		  AND` + dimFilter + groupBy,
		fillRevenue},
	// Answers and scores are summed per person first, so the grouping sets
	// hash a row per person instead of sorting every answer six times.
	{"answers", `
		WITH ` + dims + `,
		     per AS (
		    SELECT a.returnee_id,
		           count(*) FILTER (WHERE a.indicator = 'remigration_intention' AND a.option IS NOT NULL) AS remig_n,
		           count(*) FILTER (WHERE a.indicator = 'remigration_intention' AND a.option = 'necessity') AS remig_nec,
		           count(*) FILTER (WHERE a.indicator = 'remigration_intention' AND a.option IN ('choice', 'necessity')) AS remig_any,
		           count(*) FILTER (WHERE a.indicator LIKE 'satisfaction\_%' AND a.score IS NOT NULL) AS sat_n,
		           sum(1 + 4 * a.score) FILTER (WHERE a.indicator LIKE 'satisfaction\_%') AS sat_sum
		    FROM report_answer_facts a
		    WHERE a.indicator IN ('remigration_intention', 'satisfaction_return', 'satisfaction_counselling',
		                          'satisfaction_economic', 'satisfaction_social', 'satisfaction_community', 'satisfaction_overall')
		      AND a.answered_at >= $4 AND a.answered_at < $5
		    GROUP BY a.returnee_id)
		SELECT ` + groupSelect + `,
		       sum(remig_nec)::float8 / NULLIF(sum(remig_n), 0)::float8, sum(remig_any)::float8 / NULLIF(sum(remig_n), 0)::float8,
		       count(per.returnee_id) FILTER (WHERE remig_n > 0),
		       sum(sat_n), sum(sat_sum) / NULLIF(sum(sat_n), 0)::float8, count(per.returnee_id) FILTER (WHERE sat_n > 0)
		FROM per LEFT JOIN dims d ON d.returnee_id = per.returnee_id
		WHERE` + dimFilter + groupBy,
		fillAnswers},
	{"scores", `
		WITH ` + dims + `,
		     per AS (
		    SELECT s.returnee_id,
		           count(*) FILTER (WHERE s.name = 'who5_percent') AS w_n,
		           sum(s.value) FILTER (WHERE s.name = 'who5_percent') AS w_sum,
		           count(*) FILTER (WHERE s.name = 'who5_percent' AND s.value < 50) AS w_50,
		           count(*) FILTER (WHERE s.name = 'who5_percent' AND s.value <= 28) AS w_28,
		           count(*) FILTER (WHERE s.name = 'phq2') AS p_n,
		           count(*) FILTER (WHERE s.name = 'phq2' AND s.value >= 3) AS p_pos,
		           count(*) FILTER (WHERE s.flow_id = 'reintegration_survey' AND s.name = 'composite') AS c_n,
		           sum(s.value) FILTER (WHERE s.flow_id = 'reintegration_survey' AND s.name = 'composite') AS c_sum,
		           count(*) FILTER (WHERE s.flow_id = 'reintegration_survey' AND s.name = 'economic') AS e_n,
		           sum(s.value) FILTER (WHERE s.flow_id = 'reintegration_survey' AND s.name = 'economic') AS e_sum,
		           count(*) FILTER (WHERE s.flow_id = 'reintegration_survey' AND s.name = 'social') AS so_n,
		           sum(s.value) FILTER (WHERE s.flow_id = 'reintegration_survey' AND s.name = 'social') AS so_sum,
		           count(*) FILTER (WHERE s.flow_id = 'reintegration_survey' AND s.name = 'psychosocial') AS ps_n,
		           sum(s.value) FILTER (WHERE s.flow_id = 'reintegration_survey' AND s.name = 'psychosocial') AS ps_sum,
		           count(*) FILTER (WHERE s.flow_id = 'reintegration_survey' AND s.name = 'sustainable') AS su_n,
		           count(*) FILTER (WHERE s.flow_id = 'reintegration_survey' AND s.name = 'sustainable' AND s.value = 0) AS su_below
		    FROM scores s
		    WHERE s.name IN ('who5_percent', 'phq2', 'economic', 'social', 'psychosocial', 'composite', 'sustainable')
		      AND s.computed_at >= $4 AND s.computed_at < $5
		    GROUP BY s.returnee_id)
		SELECT ` + groupSelect + `, sum(w_n), sum(w_sum) / NULLIF(sum(w_n), 0)::float8,
		       sum(w_50)::float8 / NULLIF(sum(w_n), 0)::float8, sum(w_28)::float8 / NULLIF(sum(w_n), 0)::float8,
		       sum(p_pos)::float8 / NULLIF(sum(p_n), 0)::float8,
		       count(per.returnee_id) FILTER (WHERE w_n > 0), count(per.returnee_id) FILTER (WHERE p_n > 0),
		       sum(c_n), sum(e_sum) / NULLIF(sum(e_n), 0)::float8, sum(so_sum) / NULLIF(sum(so_n), 0)::float8,
		       sum(ps_sum) / NULLIF(sum(ps_n), 0)::float8, sum(c_sum) / NULLIF(sum(c_n), 0)::float8,
		       sum(su_below)::float8 / NULLIF(sum(su_n), 0)::float8, count(per.returnee_id) FILTER (WHERE c_n > 0)
		FROM per LEFT JOIN dims d ON d.returnee_id = per.returnee_id
		WHERE` + dimFilter + groupBy,
		fillScores},
	{"wellbeing change", `
		WITH ` + dims + `,
		     per AS (
		    SELECT returnee_id, (array_agg(value ORDER BY computed_at))[1] AS first,
		           (array_agg(value ORDER BY computed_at DESC))[1] AS latest
		    FROM scores WHERE name = 'who5_percent' AND returnee_id IS NOT NULL AND computed_at < $5
		    GROUP BY returnee_id HAVING count(*) >= 2 AND max(computed_at) >= $4)
		SELECT ` + groupSelect + `, avg(per.latest - per.first), count(*)
		FROM per JOIN dims d ON d.returnee_id = per.returnee_id
		WHERE` + dimFilter + groupBy,
		fillChange},
	{"alerts", `
		WITH ` + dims + `
		SELECT ` + groupSelect + `, count(*), count(*) FILTER (WHERE a.acknowledged_at IS NOT NULL),
		       count(*) FILTER (WHERE a.status = 'resolved')
		FROM alerts a LEFT JOIN dims d ON d.returnee_id = a.returnee_id
		WHERE a.created_at >= $4 AND a.created_at < $5 AND` + dimFilter + groupBy,
		fillAlerts},
}

// buildFollowUp runs the follow-up queries for the period.
func buildFollowUp(ctx context.Context, q Querier, p Params) (FollowUp, error) {
	fu := FollowUp{Breakdown: map[string]map[string]*Indicators{}}
	total := &Indicators{}
	for _, d := range Dimensions {
		fu.Breakdown[d] = map[string]*Indicators{}
	}
	start, end := p.Period.From, p.Period.To.AddDate(0, 0, 1)
	args := []any{p.Programme, p.Region, p.CaseworkerID, start, end}
	for _, fq := range followUpQueries {
		if err := grouped(ctx, q, fq.query, args, func(dim, grp string, m []sql.NullFloat64) {
			ind := total
			if dim != "" {
				if ind = fu.Breakdown[dim][grp]; ind == nil {
					ind = &Indicators{}
					fu.Breakdown[dim][grp] = ind
				}
			}
			fq.fill(ind, m)
		}); err != nil {
			return fu, fmt.Errorf("follow-up %s: %w", fq.name, err)
		}
	}
	if err := alertTimings(ctx, q, args, total); err != nil {
		return fu, err
	}
	if err := revenueTrend(ctx, q, args, total); err != nil {
		return fu, err
	}
	fu.Total = *total
	return fu, nil
}

// grouped runs a grouping-sets query and hands each row's dimension, group
// and metrics to fn; rows of people with no dimension (erased) are dropped
// from the breakdowns.
func grouped(ctx context.Context, q Querier, query string, args []any, fn func(dim, grp string, m []sql.NullFloat64)) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	for rows.Next() {
		var mask int
		var grp sql.NullString
		m := make([]sql.NullFloat64, len(cols)-2)
		dest := []any{&mask, &grp}
		for i := range m {
			dest = append(dest, &m[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		dim, ok := dimensionOf(mask)
		if !ok || (dim != "" && !grp.Valid) {
			continue
		}
		if grp.String == "" {
			grp.String = "unknown"
		}
		fn(dim, grp.String, m)
	}
	return rows.Err()
}

// dimensionOf decodes GROUPING(): all bits set is the total, one bit clear
// the dimension at that position (the first dimension is the highest bit).
func dimensionOf(mask int) (string, bool) {
	all := 1<<len(Dimensions) - 1
	if mask == all {
		return "", true
	}
	for i, d := range Dimensions {
		if mask == all&^(1<<(len(Dimensions)-1-i)) {
			return d, true
		}
	}
	return "", false
}

func count(v sql.NullFloat64) Count { return Count{N: int(v.Float64)} }

func stat(v sql.NullFloat64, base sql.NullFloat64) Stat {
	return Stat{Value: v.Float64, Valid: v.Valid, Base: int(base.Float64)}
}

func fillReach(ind *Indicators, m []sql.NullFloat64) {
	r := &ind.Reach
	r.People, r.Sent, r.Completed, r.Missed = count(m[0]), count(m[1]), count(m[2]), count(m[3])
	if n := r.Completed.N + r.Missed.N; n > 0 {
		r.ResponseRate = Stat{Value: float64(r.Completed.N) / float64(n), Valid: true, Base: r.People.N}
	}
}

func fillProject(ind *Indicators, m []sql.NullFloat64) {
	p := &ind.Project
	p.Holders, p.Operating, p.JobsCreated = count(m[0]), count(m[1]), count(m[2])
	if p.Holders.N > 0 {
		p.Survival = Stat{Value: float64(p.Operating.N) / float64(p.Holders.N), Valid: true, Base: p.Holders.N}
	}
}

func fillRevenue(ind *Indicators, m []sql.NullFloat64) { ind.Project.RevenueMedian = stat(m[0], m[1]) }

func fillAnswers(ind *Indicators, m []sql.NullFloat64) {
	ind.Reintegration.RemigrationBy, ind.Reintegration.Remigration = stat(m[0], m[2]), stat(m[1], m[2])
	ind.Satisfaction = Satisfaction{Answers: count(m[3]), Mean: stat(m[4], m[5])}
}

func fillScores(ind *Indicators, m []sql.NullFloat64) {
	fillWellbeing(ind, m[:7])
	fillReintegration(ind, m[7:])
}

func fillWellbeing(ind *Indicators, m []sql.NullFloat64) {
	w := &ind.Wellbeing
	w.Screenings = count(m[0])
	w.WHO5Mean, w.Below50, w.AtMost28 = stat(m[1], m[5]), stat(m[2], m[5]), stat(m[3], m[5])
	w.PHQ2Pos = stat(m[4], m[6])
}

func fillChange(ind *Indicators, m []sql.NullFloat64) { ind.Wellbeing.Change = stat(m[0], m[1]) }

func fillReintegration(ind *Indicators, m []sql.NullFloat64) {
	r := &ind.Reintegration
	r.Surveys = count(m[0])
	r.Economic, r.Social, r.Psychosocial = stat(m[1], m[6]), stat(m[2], m[6]), stat(m[3], m[6])
	r.Composite, r.BelowShare = stat(m[4], m[6]), stat(m[5], m[6])
}

func fillAlerts(ind *Indicators, m []sql.NullFloat64) {
	a := &ind.Alerts
	a.Opened, a.Acknowledged, a.Resolved = count(m[0]), count(m[1]), count(m[2])
}

// alertTimings fills the time to acknowledge by severity, for the total.
func alertTimings(ctx context.Context, q Querier, args []any, total *Indicators) error {
	total.Alerts.BySeverity = map[string]AlertTiming{}
	for _, s := range Severities {
		total.Alerts.BySeverity[s] = AlertTiming{}
	}
	rows, err := q.QueryContext(ctx, `
		WITH `+dims+`
		SELECT a.severity, count(*),
		       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.acknowledged_at - a.created_at) / 3600),
		       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM a.acknowledged_at - a.created_at) / 3600),
		       count(a.acknowledged_at)
		FROM alerts a LEFT JOIN dims d ON d.returnee_id = a.returnee_id
		WHERE a.created_at >= $4 AND a.created_at < $5 AND`+dimFilter+`GROUP BY a.severity`, args...)
	if err != nil {
		return fmt.Errorf("follow-up alert timings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sev string
		var n, acked int
		var p50, p90 sql.NullFloat64
		if err := rows.Scan(&sev, &n, &p50, &p90, &acked); err != nil {
			return fmt.Errorf("follow-up alert timings: %w", err)
		}
		total.Alerts.BySeverity[sev] = AlertTiming{Opened: Count{N: n},
			P50: Stat{Value: p50.Float64, Valid: p50.Valid, Base: acked}, P90: Stat{Value: p90.Float64, Valid: p90.Valid, Base: acked}}
	}
	return rows.Err()
}

// revenueTrend fills the median revenue of each month of the period.
func revenueTrend(ctx context.Context, q Querier, args []any, total *Indicators) error {
	rows, err := q.QueryContext(ctx, `
		WITH `+dims+`
		SELECT date_trunc('month', a.answered_at AT TIME ZONE 'UTC')::date, percentile_cont(0.5) WITHIN GROUP (ORDER BY a.number),
		       count(DISTINCT a.returnee_id)
		FROM report_answer_facts a LEFT JOIN dims d ON d.returnee_id = a.returnee_id
		WHERE a.indicator = 'project_revenue' AND a.answered_at >= $4 AND a.answered_at < $5
		  AND`+dimFilter+`GROUP BY 1 ORDER BY 1`, args...)
	if err != nil {
		return fmt.Errorf("follow-up revenue trend: %w", err)
	}
	defer rows.Close()
	total.Project.RevenueTrend = []MonthValue{}
	for rows.Next() {
		var month time.Time
		var med, base sql.NullFloat64
		if err := rows.Scan(&month, &med, &base); err != nil {
			return fmt.Errorf("follow-up revenue trend: %w", err)
		}
		total.Project.RevenueTrend = append(total.Project.RevenueTrend, MonthValue{Month: month.Format("2006-01"), Value: stat(med, base)})
	}
	return rows.Err()
}
