package report

import (
	"maps"
	"slices"
)

// Table is one table of a report: Markdown, HTML and XLSX (a sheet each)
// show the same tables, so every format carries the same figures.
type Table struct {
	ID      string // sheet name
	Title   string
	Headers []string
	Rows    [][]string
}

// Tables lays the factsheet out as tables in language l.
func Tables(f *Factsheet, l L) []Table {
	y, p, t := f.YearToDate, f.Period, f.FollowUp.Total
	fv := []string{l.T("figure"), l.T("value")}
	traff := ""
	for i, c := range y.Trafficking.HostCountries {
		if i > 0 {
			traff += ", "
		}
		traff += l.Country(c.Code) + " " + C(c.Count)
	}
	ytd := Table{ID: "year_to_date", Title: l.T("ytd", C(y.Assisted), l.Date(f.YTDFrom)), Headers: fv, Rows: [][]string{
		{l.T("female"), C(y.Female)}, {l.T("male"), C(y.Male)},
		{l.T("age_row"), S(y.AverageAge, 0)},
		{l.T("medical_row"), C(y.Medical)},
		{l.T("trafficking_row", traff), C(y.Trafficking.Victims)},
	}}
	hosts := Table{ID: "host_countries", Title: l.T("host_countries"), Headers: []string{l.T("country"), "ISO", l.T("count")}}
	for _, c := range y.HostCountries {
		hosts.Rows = append(hosts.Rows, []string{l.Country(c.Code), c.Code, C(c.Count)})
	}
	period := Table{ID: "period", Title: l.T("period", C(p.Assisted), l.Date(f.From), l.Date(f.To)), Headers: fv, Rows: [][]string{
		{l.T("female"), C(p.Female)}, {l.T("male"), C(p.Male)},
	}}
	for _, k := range sortedKeys(p.Assistance) {
		period.Rows = append(period.Rows, []string{l.T(k), C(p.Assistance[k])})
	}
	m := p.Microprojects
	sectors := Table{ID: "sectors", Title: l.T("sectors"), Headers: []string{l.T("sector"), l.T("count")}, Rows: [][]string{
		{l.T("agriculture"), C(m.Agriculture)}, {l.T("services"), C(m.Services)}, {l.T("commerce"), C(m.Commerce)},
		{l.T("other"), C(m.Other)}, {l.T("microproject"), C(m.Total)},
	}}
	follow := Table{ID: "follow_up", Title: l.T("followup"), Headers: fv, Rows: indicatorRows(t, l)}
	sev := Table{ID: "alerts_by_severity", Title: l.T("alerts"), Headers: []string{"", l.T("count"), "p50 (h)", "p90 (h)"}}
	for _, s := range Severities {
		a := t.Alerts.BySeverity[s]
		sev.Rows = append(sev.Rows, []string{l.T(s), C(a.Opened), S(a.P50, 1), S(a.P90, 1)})
	}
	breakdown := Table{ID: "breakdown", Title: l.T("followup"), Headers: []string{"", "",
		l.T("sent"), l.T("response_rate"), l.T("survival"), l.T("who5"), l.T("composite"), l.T("alerts"), l.T("satisfaction")}}
	for _, d := range Dimensions {
		for _, g := range sortedKeys(f.FollowUp.Breakdown[d]) {
			i := f.FollowUp.Breakdown[d][g]
			breakdown.Rows = append(breakdown.Rows, []string{d, g, C(i.Reach.Sent), Pct(i.Reach.ResponseRate),
				Pct(i.Project.Survival), S(i.Wellbeing.WHO5Mean, 0), S(i.Reintegration.Composite, 2), C(i.Alerts.Opened), S(i.Satisfaction.Mean, 1)})
		}
	}
	trend := Table{ID: "revenue_trend", Title: l.T("revenue"), Headers: []string{"", l.T("revenue")}}
	for _, mv := range t.Project.RevenueTrend {
		trend.Rows = append(trend.Rows, []string{mv.Month, S(mv.Value, 0)})
	}
	return []Table{ytd, hosts, period, sectors, follow, sev, trend, breakdown}
}

// indicatorRows are the follow-up figures of one group, one per row.
func indicatorRows(t Indicators, l L) [][]string {
	return [][]string{
		{l.T("sent"), C(t.Reach.Sent)}, {l.T("completed"), C(t.Reach.Completed)}, {l.T("missed"), C(t.Reach.Missed)},
		{l.T("response_rate"), Pct(t.Reach.ResponseRate)},
		{l.T("survival"), Pct(t.Project.Survival)}, {l.T("revenue"), S(t.Project.RevenueMedian, 0)},
		{l.T("jobs"), C(t.Project.JobsCreated)},
		{l.T("who5"), S(t.Wellbeing.WHO5Mean, 0)}, {l.T("who5_low"), Pct(t.Wellbeing.Below50)},
		{l.T("who5_28"), Pct(t.Wellbeing.AtMost28)}, {l.T("phq2"), Pct(t.Wellbeing.PHQ2Pos)},
		{l.T("who5_change"), S(t.Wellbeing.Change, 1)},
		{l.T("economic"), S(t.Reintegration.Economic, 2)}, {l.T("social"), S(t.Reintegration.Social, 2)},
		{l.T("psychosocial"), S(t.Reintegration.Psychosocial, 2)}, {l.T("composite"), S(t.Reintegration.Composite, 2)},
		{l.T("below"), Pct(t.Reintegration.BelowShare)}, {l.T("remigration"), Pct(t.Reintegration.RemigrationBy)},
		{l.T("alerts"), C(t.Alerts.Opened) + " / " + C(t.Alerts.Acknowledged) + " / " + C(t.Alerts.Resolved)},
		{l.T("satisfaction"), S(t.Satisfaction.Mean, 1)},
	}
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
