// Package cards prints invitation cards: one per returnee, with the QR code
// of their invitation link, their case reference and two lines in French and
// Arabic saying what the bot is, eight to an A4 page with dashed lines to
// cut along.
package cards

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"

	"suivi/internal/arabic"
)

// Card is one returnee's invitation.
type Card struct {
	Ref       string
	Link      string    // what the QR code holds: the bot's deep link with the token
	ExpiresAt time.Time // shown as the last day the link works
}

// Layout: 2 columns by 4 rows of 105 × 74.25 mm, an A4 page exactly, so
// one straight cut goes through a whole row or column.
const (
	columns  = 2
	rows     = 4
	PerPage  = columns * rows
	cardW    = 210.0 / columns
	cardH    = 297.0 / rows
	margin   = 5.0
	qrSize   = 40.0
	textX    = margin + qrSize + 4
	textW    = cardW - textX - margin
	fontName = "dejavu"
)

// The card's texts: what the bot is, in French and Arabic (a native speaker
// should review them), and until when the link works.
const (
	aboutFR = "Suivi, sur Telegram : quelques questions chaque mois après votre retour, et de l'aide si besoin. Scannez le code pour commencer."
	aboutAR = "سويفي على تيليغرام: بعض الأسئلة كل شهر بعد عودتكم، ومساعدة عند الحاجة. يكفي مسح الرمز للبدء."
	untilFR = "Valable jusqu'au %s"
	untilAR = "صالح حتى %s"
)

// Write prints the cards as a PDF, dates in loc.
func Write(w io.Writer, cards []Card, loc *time.Location) error {
	if len(cards) == 0 {
		return fmt.Errorf("cards: nothing to print")
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle("Suivi invitation cards", true)
	pdf.SetCreator("Suivi", true)
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	// DejaVu Sans draws both the French and the shaped Arabic lines.
	pdf.AddUTF8FontFromBytes(fontName, "", arabic.Font)
	for i, c := range cards {
		if i%PerPage == 0 {
			pdf.AddPage()
			cutLines(pdf)
		}
		slot := i % PerPage
		x, y := float64(slot%columns)*cardW, float64(slot/columns)*cardH
		if err := card(pdf, fmt.Sprintf("qr%d", i), x, y, c, loc); err != nil {
			return fmt.Errorf("card %s: %w", c.Ref, err)
		}
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("cards: write PDF: %w", err)
	}
	return nil
}

// cutLines draws light dashed lines between the cards.
func cutLines(pdf *fpdf.Fpdf) {
	pdf.SetDrawColor(170, 170, 170)
	pdf.SetLineWidth(0.2)
	pdf.SetDashPattern([]float64{2, 2}, 0)
	for c := 1; c < columns; c++ {
		pdf.Line(float64(c)*cardW, 0, float64(c)*cardW, 297)
	}
	for r := 1; r < rows; r++ {
		pdf.Line(0, float64(r)*cardH, 210, float64(r)*cardH)
	}
	pdf.SetDashPattern([]float64{}, 0)
}

func card(pdf *fpdf.Fpdf, name string, x, y float64, c Card, loc *time.Location) error {
	png, err := qrcode.Encode(c.Link, qrcode.Medium, 400)
	if err != nil {
		return fmt.Errorf("QR code: %w", err)
	}
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	pdf.RegisterImageOptionsReader(name, opt, bytes.NewReader(png))
	pdf.ImageOptions(name, x+margin, y+margin+2, qrSize, qrSize, false, opt, 0, "")

	pdf.SetTextColor(0, 0, 0)
	pdf.SetFont(fontName, "", 14)
	pdf.SetXY(x+textX, y+margin+2)
	pdf.CellFormat(textW, 6, c.Ref, "", 1, "L", false, 0, "")
	pdf.SetFont(fontName, "", 7.5)
	pdf.SetXY(x+textX, y+margin+10)
	pdf.MultiCell(textW, 3.4, aboutFR, "", "L", false)

	pdf.SetFont(fontName, "", 8.5)
	ay := pdf.GetY() + 2
	for _, line := range arabic.Wrap(aboutAR, textW, pdf.GetStringWidth) {
		pdf.SetXY(x+textX, ay)
		pdf.CellFormat(textW, 4, line, "", 0, "R", false, 0, "")
		ay += 4
	}

	until := c.ExpiresAt.In(loc).Format("02/01/2006")
	pdf.SetFont(fontName, "", 7)
	pdf.SetTextColor(80, 80, 80)
	pdf.SetXY(x+margin, y+cardH-margin-4)
	pdf.CellFormat(cardW/2-margin, 4, fmt.Sprintf(untilFR, until), "", 0, "L", false, 0, "")
	pdf.SetXY(x+cardW/2, y+cardH-margin-4)
	pdf.CellFormat(cardW/2-margin, 4, arabic.Visual(fmt.Sprintf(untilAR, until)), "", 0, "R", false, 0, "")
	return pdf.Error()
}
