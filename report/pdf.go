package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/go-pdf/fpdf"
)

// PDFLang is the language a PDF is written in. The PDF library draws text
// without Arabic shaping or right-to-left ordering, so an Arabic PDF would
// show broken words: an Arabic reader gets the PDF in French (the office's
// working language) and the other formats, XLSX included, in Arabic.
func PDFLang(lang string) string {
	if lang == "ar" {
		return "fr"
	}
	return lang
}

// pdfText replaces what the PDF's core fonts (Windows-1252) cannot draw.
var pdfText = strings.NewReplacer("≥", ">=", "≤", "<=", "→", "->", "←", "<-", "«", "\"", "»", "\"")

// writePDF lays the factsheet out on two A4 pages: the year to date and the
// period with their charts on the first, the follow-up on the second.
func writePDF(w io.Writer, f *Factsheet, l L) error {
	l = L{PDFLang(l.lang)}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle(l.T("title"), true)
	pdf.SetAutoPageBreak(true, 12)
	pdf.SetMargins(15, 12, 15)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	txt := func(s string) string { return tr(pdfText.Replace(s)) }
	y, p := f.YearToDate, f.Period
	charts := Charts(f, l)

	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.SetTextColor(11, 79, 138)
	pdf.CellFormat(0, 8, txt(l.T("title")+" — "+l.Date(f.From)+" – "+l.Date(f.To)), "", 1, "L", false, 0, "")
	pdf.SetTextColor(0, 0, 0)
	if s := scopeLine(f, l); s != "" {
		pdf.SetFont("Helvetica", "", 9)
		pdf.CellFormat(0, 5, txt(s), "", 1, "L", false, 0, "")
	}
	heading(pdf, txt(strings.ToUpper(l.T("ytd", C(y.Assisted), l.Date(f.YTDFrom)))))
	top := pdf.GetY()
	drawChart(pdf, charts[0], 15, top, 85, txt)
	drawChart(pdf, charts[1], 110, top, 85, txt)
	pdf.SetY(top + chartHeight(charts[1]) + 2)
	pdf.SetFont("Helvetica", "", 10)
	traff := make([]string, 0, len(y.Trafficking.HostCountries))
	for _, c := range y.Trafficking.HostCountries {
		traff = append(traff, l.Country(c.Code)+" "+C(c.Count))
	}
	for _, line := range []string{
		l.T("average_age", S(y.AverageAge, 0)),
		l.T("medical", C(y.Medical)),
		l.T("trafficking", C(y.Trafficking.Victims), strings.Join(traff, ", ")),
	} {
		pdf.CellFormat(0, 5.5, txt(line), "", 1, "L", false, 0, "")
	}

	heading(pdf, txt(strings.ToUpper(l.T("period", C(p.Assisted), l.Date(f.From), l.Date(f.To)))))
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(0, 5.5, txt(l.T("female")+l.Colon()+C(p.Female)+"   "+l.T("male")+l.Colon()+C(p.Male)), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "B", 10)
	pdf.CellFormat(0, 6, txt(l.T("assistance")), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	for _, k := range sortedKeys(p.Assistance) {
		pdf.CellFormat(0, 5.5, txt(l.T(k)+l.Colon()+C(p.Assistance[k])), "", 1, "L", false, 0, "")
	}
	top = pdf.GetY() + 2
	drawChart(pdf, charts[2], 15, top, 180, txt)
	pdf.SetY(top + chartHeight(charts[2]) + 2)
	if s := p.Story; s != nil {
		pdf.SetFont("Helvetica", "B", 11)
		pdf.CellFormat(0, 6, txt(l.T("story")+l.Colon()+s.Title), "", 1, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 9)
		pdf.MultiCell(0, 4.5, txt(s.Text), "", "L", false)
	}

	pdf.AddPage()
	heading(pdf, txt(strings.ToUpper(l.T("followup")+" "+l.Date(f.From)+" – "+l.Date(f.To))))
	top = pdf.GetY()
	drawChart(pdf, charts[3], 15, top, 120, txt)
	pdf.SetY(top + chartHeight(charts[3]) + 2)
	pdf.SetFont("Helvetica", "", 9.5)
	for _, r := range indicatorRows(f.FollowUp.Total, l) {
		pdf.CellFormat(120, 5.5, txt(r[0]), "B", 0, "L", false, 0, "")
		pdf.CellFormat(40, 5.5, txt(r[1]), "B", 1, "R", false, 0, "")
	}
	pdf.Ln(3)
	for _, s := range Severities {
		a := f.FollowUp.Total.Alerts.BySeverity[s]
		line := l.T("ack", l.T(s)) + l.Colon() + S(a.P50, 1) + " / " + S(a.P90, 1) + " (" + C(a.Opened) + ")"
		pdf.CellFormat(0, 5.5, txt(line), "", 1, "L", false, 0, "")
	}
	if len(f.Suppressed) > 0 {
		pdf.Ln(3)
		pdf.SetFont("Helvetica", "I", 8.5)
		pdf.CellFormat(0, 5, txt(l.T("suppressed")), "", 1, "L", false, 0, "")
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("write pdf: %w", err)
	}
	return nil
}

func heading(pdf *fpdf.Fpdf, s string) {
	pdf.Ln(3)
	pdf.SetFont("Helvetica", "B", 12.5)
	pdf.SetFillColor(11, 79, 138)
	pdf.SetTextColor(255, 255, 255)
	pdf.CellFormat(0, 8, s, "", 1, "L", true, 0, "")
	pdf.SetTextColor(0, 0, 0)
	pdf.Ln(2)
}

func chartHeight(c Chart) float64 { return 7 + 6*float64(len(c.Bars)) }

// drawChart draws c at (x, y), width w: the title, then a row per bar.
func drawChart(pdf *fpdf.Fpdf, c Chart, x, y, w float64, txt func(string) string) {
	labelW, textW := w*0.38, 14.0
	barMax := w - labelW - textW
	pdf.SetXY(x, y)
	pdf.SetFont("Helvetica", "B", 10)
	pdf.CellFormat(w, 6, txt(c.Title), "", 0, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 9)
	pdf.SetFillColor(11, 79, 138)
	for i, b := range c.Bars {
		row := y + 7 + 6*float64(i)
		pdf.SetXY(x, row)
		pdf.CellFormat(labelW, 5, txt(b.Label), "", 0, "L", false, 0, "")
		bw := c.Fraction(b) * barMax
		if bw > 0 {
			pdf.Rect(x+labelW, row+0.5, bw, 4, "F")
		}
		pdf.SetXY(x+labelW+bw+1, row)
		pdf.CellFormat(textW, 5, txt(b.Text), "", 0, "L", false, 0, "")
	}
}
