package report

import (
	"fmt"
	"html"
	"strings"
)

// Chart is a horizontal bar chart, drawn as inline SVG in HTML and with
// rectangles in the PDF. A suppressed figure gets no bar (its length would
// tell what "<5" hides), only its "<5".
type Chart struct {
	Title string
	Bars  []Bar
	Max   float64 // the scale: a bar of Max fills the width
}

// Bar is one bar: its label, length and the figure written next to it.
type Bar struct {
	Label string
	Value float64
	Text  string
}

// Charts are the factsheet's four charts: sex split, host countries,
// micro-project sectors and response rate.
func Charts(f *Factsheet, l L) []Chart {
	y, m, r := f.YearToDate, f.Period.Microprojects, f.FollowUp.Total.Reach
	sex := Chart{Title: l.T("sex_split"), Bars: []Bar{countBar(l.T("female"), y.Female), countBar(l.T("male"), y.Male)}}
	hosts := Chart{Title: l.T("host_countries")}
	for _, c := range TopCountries(y.HostCountries, 6) {
		hosts.Bars = append(hosts.Bars, countBar(l.Country(c.Code), c.Count))
	}
	sectors := Chart{Title: l.T("sectors"), Bars: []Bar{
		countBar(l.T("agriculture"), m.Agriculture), countBar(l.T("services"), m.Services), countBar(l.T("commerce"), m.Commerce)}}
	rate := Chart{Title: l.T("response_rate"), Max: 1, Bars: []Bar{{Label: l.T("response_rate"), Text: Pct(r.ResponseRate)}}}
	if r.ResponseRate.Valid && !r.ResponseRate.Hidden {
		rate.Bars[0].Value = r.ResponseRate.Value
	}
	out := []Chart{sex, hosts, sectors, rate}
	for i := range out {
		if out[i].Max == 0 {
			for _, b := range out[i].Bars {
				out[i].Max = max(out[i].Max, b.Value)
			}
		}
	}
	return out
}

func countBar(label string, c Count) Bar {
	b := Bar{Label: label, Text: C(c)}
	if !c.Hidden {
		b.Value = float64(c.N)
	}
	return b
}

// Fraction is the bar's share of the chart's width.
func (c Chart) Fraction(b Bar) float64 {
	if c.Max <= 0 {
		return 0
	}
	return b.Value / c.Max
}

// SVG draws the chart as an inline SVG element.
func (c Chart) SVG() string {
	const width, labelW, barW, rowH = 360, 130, 180, 22
	var b strings.Builder
	h := 30 + rowH*len(c.Bars)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" aria-label="%s">`, width, h, html.EscapeString(c.Title))
	fmt.Fprintf(&b, `<text x="0" y="16" font-size="14" font-weight="bold">%s</text>`, html.EscapeString(c.Title))
	for i, bar := range c.Bars {
		y := 26 + i*rowH
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="12">%s</text>`, y+14, html.EscapeString(bar.Label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="16" fill="#0b4f8a"/>`, labelW, y+2, c.Fraction(bar)*barW)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12">%s</text>`, labelW+c.Fraction(bar)*barW+4, y+14, html.EscapeString(bar.Text))
	}
	b.WriteString(`</svg>`)
	return b.String()
}
