package report

import (
	"strings"

	"github.com/go-pdf/fpdf"

	"suivi/internal/arabic"
)

// pdfText replaces what the PDF's core fonts (Windows-1252) cannot draw.
var pdfText = strings.NewReplacer("≥", ">=", "≤", "<=", "→", "->", "←", "<-", "«", "\"", "»", "\"")

const (
	pageW       = 210.0 // A4, in mm
	pageMargin  = 15.0
	arabicFont  = "dejavu"
	colourBlue  = 0x0b4f8a
	colourBlack = 0x000000
	colourWhite = 0xffffff
)

// pdfDoc draws the factsheet in the reader's direction. French and English
// use the PDF's core fonts; Arabic uses DejaVu Sans, with every Arabic
// string shaped and put in display order (fpdf does neither), text aligned
// right and the layout mirrored: what sits on the left in French sits on
// the right in Arabic. Figures keep Western digits and their own order.
type pdfDoc struct {
	*fpdf.Fpdf
	rtl bool
	tr  func(string) string
}

func newPDFDoc(l L) *pdfDoc {
	pdf := fpdf.New("P", "mm", "A4", "")
	d := &pdfDoc{Fpdf: pdf, rtl: l.lang == "ar"}
	if d.rtl {
		pdf.AddUTF8FontFromBytes(arabicFont, "", arabic.Font)
	} else {
		d.tr = pdf.UnicodeTranslatorFromDescriptor("")
	}
	return d
}

// text turns s into what the current font draws: Arabic shaped in display
// order, anything else as it is.
func (d *pdfDoc) text(s string) string {
	switch {
	case !d.rtl:
		return d.tr(pdfText.Replace(s))
	case arabic.IsRTL(s):
		return arabic.Visual(s)
	}
	return s
}

// font sets the font. DejaVu Sans is embedded in its regular weight only:
// in Arabic, bold is drawn by stroking the letters' outlines in the text's
// colour as well as filling them.
func (d *pdfDoc) font(style string, size float64) {
	if !d.rtl {
		d.SetFont("Helvetica", style, size)
		return
	}
	d.SetFont(arabicFont, "", size)
	if strings.Contains(style, "B") {
		d.SetTextRenderingMode(2)
	} else {
		d.SetTextRenderingMode(0)
	}
}

// colour sets the text colour, and the stroke colour of Arabic bold.
func (d *pdfDoc) colour(rgb int) {
	r, g, b := rgb>>16, rgb>>8&0xff, rgb&0xff
	d.SetTextColor(r, g, b)
	if d.rtl {
		d.SetDrawColor(r, g, b)
	}
}

// align mirrors a horizontal alignment in Arabic.
func (d *pdfDoc) align(a string) string {
	if !d.rtl {
		return a
	}
	switch a {
	case "L":
		return "R"
	case "R":
		return "L"
	}
	return a
}

// x is where a box of width w starts on the page when it is x mm from the
// start of the line: from the left margin in French and English, from the
// right margin in Arabic.
func (d *pdfDoc) x(x, w float64) float64 {
	if d.rtl {
		return pageW - x - w
	}
	return x
}

// line writes s on a line of its own across the text width.
func (d *pdfDoc) line(h float64, s string) {
	d.SetX(pageMargin)
	d.CellFormat(0, h, d.text(s), "", 1, d.align("L"), false, 0, "")
}

// paragraph writes a text wrapped to the text width: an Arabic one line by
// line in display order, another with the PDF library's wrapping.
func (d *pdfDoc) paragraph(h float64, s string) {
	d.SetX(pageMargin)
	if !d.rtl || !arabic.IsRTL(s) {
		d.MultiCell(0, h, d.text(s), "", "L", false)
		return
	}
	for _, line := range arabic.Wrap(s, pageW-2*pageMargin, d.GetStringWidth) {
		d.CellFormat(0, h, line, "", 1, "R", false, 0, "")
	}
}
