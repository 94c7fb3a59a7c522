package report

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"
)

// Params choose what a factsheet covers and for whom.
type Params struct {
	Period    Period
	YTDFrom   time.Time // zero: 1 January of the period's year
	Programme string    // "" for all
	Region    string    // "" for all
	// CaseworkerID limits the report to one case worker's caseload, which
	// they see in full; 0 for everyone.
	CaseworkerID int64
	Caseworker   string // its handle, for the header
	// ShowSmallCells keeps figures about fewer than MinCell people; reports
	// for managers leave it false.
	ShowSmallCells bool
	Now            time.Time
}

// Querier is what Build reads through: a *sql.DB or a *sql.Tx.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Build computes every figure of the factsheet in one read-only snapshot,
// then suppresses small cells unless p says otherwise.
func Build(ctx context.Context, db *sql.DB, p Params) (*Factsheet, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, fmt.Errorf("build factsheet: %w", err)
	}
	defer tx.Rollback()
	return BuildIn(ctx, tx, p)
}

// BuildIn is Build inside the caller's transaction (a staff command's).
func BuildIn(ctx context.Context, q Querier, p Params) (*Factsheet, error) {
	if p.Period.To.Before(p.Period.From) {
		return nil, fmt.Errorf("build factsheet: the period ends (%s) before it starts (%s)", day(p.Period.To), day(p.Period.From))
	}
	if p.YTDFrom.IsZero() {
		p.YTDFrom = time.Date(p.Period.To.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	// Grouping sets sort: the default work_mem would spill them to disk.
	// JIT compiling the grouped queries costs more than running them (a
	// second or two before the first row), so it is off for the report.
	for _, set := range []string{`SET LOCAL work_mem = '32MB'`, `SET LOCAL jit = off`} {
		if _, err := q.ExecContext(ctx, set); err != nil {
			return nil, fmt.Errorf("build factsheet: %w", err)
		}
	}
	f := &Factsheet{
		From: day(p.Period.From), To: day(p.Period.To), YTDFrom: day(p.YTDFrom),
		Programme: p.Programme, Region: p.Region, Caseworker: p.Caseworker,
		Generated: p.Now.UTC().Format(time.RFC3339), SmallCells: "shown",
	}
	var err error
	if err = buildPeople(ctx, q, p, f); err != nil {
		return nil, err
	}
	if f.Period.Story, err = loadStory(ctx, q, p); err != nil {
		return nil, err
	}
	if f.FollowUp, err = buildFollowUp(ctx, q, p); err != nil {
		return nil, err
	}
	if !p.ShowSmallCells {
		f.SmallCells = "suppressed"
		f.Suppressed = Suppress(f)
	}
	if f.Suppressed == nil {
		f.Suppressed = []string{}
	}
	return f, nil
}

// peopleFilter restricts report_people (alias p) to the report's scope;
// $1 programme, $2 region, $3 case worker id.
const peopleFilter = `($1::text = '' OR p.programme = $1) AND ($2::text = '' OR p.region = $2) AND ($3::bigint = 0 OR p.caseworker_id = $3)`

// buildPeople fills the year-to-date and period blocks: $4 year-to-date
// start, $5 period start, $6 period end (inclusive dates).
func buildPeople(ctx context.Context, q Querier, p Params, f *Factsheet) error {
	args := []any{p.Programme, p.Region, p.CaseworkerID, p.YTDFrom, p.Period.From, p.Period.To}
	y, per := &f.YearToDate, &f.Period
	var avgAge sql.NullFloat64
	var counts [10]int
	err := q.QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE ytd), count(*) FILTER (WHERE ytd AND sex = 'F'), count(*) FILTER (WHERE ytd AND sex = 'M'),
		       avg(age) FILTER (WHERE ytd),
		       count(*) FILTER (WHERE ytd AND 'medical' = ANY (vulnerabilities)),
		       count(*) FILTER (WHERE ytd AND 'trafficking' = ANY (vulnerabilities)),
		       count(*) FILTER (WHERE per), count(*) FILTER (WHERE per AND sex = 'F'), count(*) FILTER (WHERE per AND sex = 'M'),
		       count(*) FILTER (WHERE per AND 'microproject' = ANY (assistance)),
		       count(*) FILTER (WHERE per AND 'microproject' = ANY (assistance) AND sector NOT IN ('agriculture', 'services', 'commerce'))
		FROM (SELECT p.*, p.return_date BETWEEN $4 AND $6 AS ytd, p.return_date BETWEEN $5 AND $6 AS per
		      FROM report_people p WHERE `+peopleFilter+` AND p.return_date BETWEEN least($4::date, $5::date) AND $6) x`,
		args...).Scan(&counts[0], &counts[1], &counts[2], &avgAge, &counts[3], &counts[4],
		&counts[5], &counts[6], &counts[7], &counts[8], &counts[9])
	if err != nil {
		return fmt.Errorf("count returnees assisted: %w", err)
	}
	y.Assisted, y.Female, y.Male = Count{N: counts[0]}, Count{N: counts[1]}, Count{N: counts[2]}
	y.AverageAge = Stat{Value: avgAge.Float64, Valid: avgAge.Valid, Base: counts[0]}
	y.Medical, y.Trafficking.Victims = Count{N: counts[3]}, Count{N: counts[4]}
	per.Assisted, per.Female, per.Male = Count{N: counts[5]}, Count{N: counts[6]}, Count{N: counts[7]}
	per.Microprojects.Total, per.Microprojects.Other = Count{N: counts[8]}, Count{N: counts[9]}

	if y.HostCountries, err = codeCounts(ctx, q, `
		SELECT p.host_country, count(*) FROM report_people p
		WHERE `+peopleFilter+` AND p.return_date BETWEEN $4 AND $5 GROUP BY 1`,
		p.Programme, p.Region, p.CaseworkerID, p.YTDFrom, p.Period.To); err != nil {
		return fmt.Errorf("count host countries: %w", err)
	}
	if y.Trafficking.HostCountries, err = codeCounts(ctx, q, `
		SELECT p.host_country, count(*) FROM report_people p
		WHERE `+peopleFilter+` AND p.return_date BETWEEN $4 AND $5 AND 'trafficking' = ANY (p.vulnerabilities) GROUP BY 1`,
		p.Programme, p.Region, p.CaseworkerID, p.YTDFrom, p.Period.To); err != nil {
		return fmt.Errorf("count trafficking by host country: %w", err)
	}
	assistance, err := codeCounts(ctx, q, `
		SELECT a, count(*) FROM report_people p, unnest(p.assistance) a
		WHERE `+peopleFilter+` AND p.return_date BETWEEN $4 AND $5 GROUP BY 1`,
		p.Programme, p.Region, p.CaseworkerID, p.Period.From, p.Period.To)
	if err != nil {
		return fmt.Errorf("count assistance types: %w", err)
	}
	per.Assistance = map[string]Count{"material": {}, "microproject": {}, "training": {}}
	for _, a := range assistance {
		per.Assistance[a.Code] = a.Count
	}
	sectors, err := codeCounts(ctx, q, `
		SELECT p.sector, count(*) FROM report_people p
		WHERE `+peopleFilter+` AND p.return_date BETWEEN $4 AND $5 AND 'microproject' = ANY (p.assistance) GROUP BY 1`,
		p.Programme, p.Region, p.CaseworkerID, p.Period.From, p.Period.To)
	if err != nil {
		return fmt.Errorf("count micro-projects by sector: %w", err)
	}
	for _, s := range sectors {
		switch s.Code {
		case "agriculture":
			per.Microprojects.Agriculture = s.Count
		case "services":
			per.Microprojects.Services = s.Count
		case "commerce":
			per.Microprojects.Commerce = s.Count
		}
	}
	return nil
}

// codeCounts reads (code, count) rows, largest count first, then by code.
func codeCounts(ctx context.Context, q Querier, query string, args ...any) ([]CodeCount, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CodeCount{}
	for rows.Next() {
		var c CodeCount
		if err := rows.Scan(&c.Code, &c.Count.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count.N != out[j].Count.N {
			return out[i].Count.N > out[j].Count.N
		}
		return out[i].Code < out[j].Code
	})
	return out, nil
}

// loadStory returns the latest consented success story told in the period,
// or nil.
func loadStory(ctx context.Context, q Querier, p Params) (*Story, error) {
	var s Story
	err := q.QueryRowContext(ctx, `
		SELECT title, text FROM success_stories
		WHERE consented AND told_on BETWEEN $1 AND $2 AND ($3 = '' OR programme = $3) AND ($4 = '' OR region = $4)
		ORDER BY told_on DESC, id DESC LIMIT 1`, p.Period.From, p.Period.To, p.Programme, p.Region).Scan(&s.Title, &s.Text)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load success story: %w", err)
	}
	return &s, nil
}

func day(t time.Time) string { return t.Format("2006-01-02") }
