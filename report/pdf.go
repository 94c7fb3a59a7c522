package report

import (
	"fmt"
	"io"
	"strings"
)

// writePDF lays the factsheet out on two A4 pages: the year to date and the
// period with their charts on the first, the follow-up on the second. In
// Arabic the layout is mirrored (see pdfDoc).
func writePDF(w io.Writer, f *Factsheet, l L) error {
	d := newPDFDoc(l)
	d.SetTitle(l.T("title"), true) // metadata: viewers lay it out themselves
	d.SetCreator("Suivi", true)
	d.SetAutoPageBreak(true, 12)
	d.SetMargins(pageMargin, 12, pageMargin)
	y, p := f.YearToDate, f.Period
	charts := Charts(f, l)

	d.AddPage()
	d.font("B", 16)
	d.colour(colourBlue)
	d.line(8, l.T("title")+" — "+l.Date(f.From)+" – "+l.Date(f.To))
	d.colour(colourBlack)
	if s := scopeLine(f, l); s != "" {
		d.font("", 9)
		d.line(5, s)
	}
	heading(d, strings.ToUpper(l.T("ytd", C(y.Assisted), l.Date(f.YTDFrom))))
	top := d.GetY()
	drawChart(d, charts[0], 0, top, 85)
	drawChart(d, charts[1], 95, top, 85)
	d.SetY(top + chartHeight(charts[1]) + 2)
	d.font("", 10)
	traff := make([]string, 0, len(y.Trafficking.HostCountries))
	for _, c := range y.Trafficking.HostCountries {
		traff = append(traff, l.Country(c.Code)+" "+C(c.Count))
	}
	for _, line := range []string{
		l.T("average_age", S(y.AverageAge, 0)),
		l.T("medical", C(y.Medical)),
		l.T("trafficking", C(y.Trafficking.Victims), strings.Join(traff, l.Comma())),
	} {
		d.line(5.5, line)
	}

	heading(d, strings.ToUpper(l.T("period", C(p.Assisted), l.Date(f.From), l.Date(f.To))))
	d.font("", 10)
	d.line(5.5, l.T("female")+l.Colon()+C(p.Female)+"   "+l.T("male")+l.Colon()+C(p.Male))
	d.font("B", 10)
	d.line(6, l.T("assistance"))
	d.font("", 10)
	for _, k := range sortedKeys(p.Assistance) {
		d.line(5.5, l.T(k)+l.Colon()+C(p.Assistance[k]))
	}
	top = d.GetY() + 2
	drawChart(d, charts[2], 0, top, 180)
	d.SetY(top + chartHeight(charts[2]) + 2)
	if s := p.Story; s != nil {
		d.font("B", 11)
		d.line(6, l.T("story")+l.Colon()+s.Title)
		d.font("", 9)
		d.paragraph(4.5, s.Text)
	}

	d.AddPage()
	heading(d, strings.ToUpper(l.T("followup")+" "+l.Date(f.From)+" – "+l.Date(f.To)))
	top = d.GetY()
	drawChart(d, charts[3], 0, top, 120)
	d.SetY(top + chartHeight(charts[3]) + 2)
	d.font("", 9.5)
	for _, r := range indicatorRows(f.FollowUp.Total, l) {
		row := d.GetY()
		d.SetXY(d.x(pageMargin, 120), row)
		d.CellFormat(120, 5.5, d.text(r[0]), "B", 0, d.align("L"), false, 0, "")
		d.SetXY(d.x(pageMargin+120, 40), row)
		d.CellFormat(40, 5.5, d.text(r[1]), "B", 1, d.align("R"), false, 0, "")
	}
	d.Ln(3)
	for _, s := range Severities {
		a := f.FollowUp.Total.Alerts.BySeverity[s]
		d.line(5.5, l.T("ack", l.T(s))+l.Colon()+S(a.P50, 1)+" / "+S(a.P90, 1)+" ("+C(a.Opened)+")")
	}
	if len(f.Suppressed) > 0 {
		d.Ln(3)
		d.font("I", 8.5)
		d.line(5, l.T("suppressed"))
	}
	if err := d.Output(w); err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	return nil
}

// heading writes a block's title, white on a blue band across the page.
func heading(d *pdfDoc, s string) {
	d.Ln(3)
	d.font("B", 12.5)
	d.SetFillColor(colourBlue>>16, colourBlue>>8&0xff, colourBlue&0xff)
	d.colour(colourWhite)
	d.SetX(pageMargin)
	d.CellFormat(0, 8, d.text(s), "", 1, d.align("L"), true, 0, "")
	d.colour(colourBlack)
	d.font("", 10)
	d.Ln(2)
}

func chartHeight(c Chart) float64 { return 7 + 6*float64(len(c.Bars)) }

// drawChart draws c at y, x mm from the start of the line, width w: the
// title, then a row per bar with its label at the start of the line, the
// bar growing towards the end and the figure after it.
func drawChart(d *pdfDoc, c Chart, x, y, w float64) {
	labelW, textW := w*0.38, 14.0
	barMax := w - labelW - textW
	x += pageMargin
	d.SetXY(d.x(x, w), y)
	d.font("B", 10)
	d.CellFormat(w, 6, d.text(c.Title), "", 0, d.align("L"), false, 0, "")
	d.font("", 9)
	d.SetFillColor(colourBlue>>16, colourBlue>>8&0xff, colourBlue&0xff)
	for i, b := range c.Bars {
		row := y + 7 + 6*float64(i)
		d.SetXY(d.x(x, labelW), row)
		d.CellFormat(labelW, 5, d.text(b.Label), "", 0, d.align("L"), false, 0, "")
		bw := c.Fraction(b) * barMax
		if bw > 0 {
			d.Rect(d.x(x+labelW, bw), row+0.5, bw, 4, "F")
		}
		d.SetXY(d.x(x+labelW+bw+1, textW), row)
		d.CellFormat(textW, 5, d.text(b.Text), "", 0, d.align("L"), false, 0, "")
	}
	d.font("", 10)
}
