package report

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

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
