package report

import "database/sql"

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
