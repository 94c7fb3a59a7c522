package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/ledongthuc/pdf"
	"github.com/pdfcpu/pdfcpu/pkg/api"

	"suivi/internal/arabic"
)

// sampleFactsheet has the reference quarter's main figures, a suppressed
// sector, a success story and follow-up indicators.
func sampleFactsheet() *Factsheet {
	stat := func(v float64) Stat { return Stat{Value: v, Valid: true, Base: 20} }
	f := &Factsheet{
		From: "2018-04-01", To: "2018-06-30", YTDFrom: "2018-01-01", SmallCells: "suppressed",
		YearToDate: YearToDate{
			Assisted: Count{N: 83}, Female: Count{N: 21}, Male: Count{N: 62}, AverageAge: stat(30), Medical: Count{Hidden: true},
			Trafficking:   Trafficking{Victims: Count{Hidden: true}, HostCountries: []CodeCount{{Code: "TR", Count: Count{Hidden: true}}}},
			HostCountries: []CodeCount{{Code: "IT", Count: Count{N: 14}}, {Code: "GR", Count: Count{N: 7}}, {Code: "DE", Count: Count{N: 6}}},
		},
		Period: PeriodBlock{
			Assisted: Count{N: 35}, Female: Count{N: 9}, Male: Count{N: 26},
			Assistance:    map[string]Count{"material": {Hidden: true}, "microproject": {N: 19}, "training": {N: 12}},
			Microprojects: Microprojects{Total: Count{N: 19}, Agriculture: Count{Hidden: true}, Services: Count{N: 9}, Commerce: Count{N: 6}},
			Story:         &Story{Title: "قصة سعيد", Text: strings.Repeat("فتح سعيد ورشة لإصلاح الدراجات في وجدة سنة 2018 ويشغل اليوم شخصين. ", 4)},
		},
		Suppressed: []string{"year_to_date.medical_assistance", "period.microprojects.agriculture"},
	}
	t := &f.FollowUp.Total
	t.Reach = Reach{Sent: Count{N: 120}, Completed: Count{N: 93}, Missed: Count{N: 27}, ResponseRate: stat(0.775)}
	t.Project = Project{Survival: stat(0.84), RevenueMedian: stat(2750), JobsCreated: Count{N: 23}}
	t.Wellbeing = Wellbeing{WHO5Mean: stat(57), Below50: stat(0.31), AtMost28: stat(0.12), PHQ2Pos: stat(0.18), Change: stat(6.5)}
	t.Alerts = Alerts{Opened: Count{N: 11}, Acknowledged: Count{N: 10}, Resolved: Count{N: 8},
		BySeverity: map[string]AlertTiming{"urgent": {Opened: Count{N: 5}, P50: stat(1.5), P90: stat(3.25)}}}
	return f
}

// renderPDF renders f in lang and returns the PDF, its page count and the
// text extracted from it.
func renderPDF(t *testing.T, f *Factsheet, lang string) ([]byte, int, string) {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, f, "pdf", lang); err != nil {
		t.Fatal(err)
	}
	if path := os.Getenv("FACTSHEET_PDF"); path != "" { // to look at it
		os.WriteFile(strings.Replace(path, ".pdf", "-"+lang+".pdf", 1), b.Bytes(), 0o600)
	}
	r, err := pdf.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatalf("read the %s PDF: %v", lang, err)
	}
	plain, err := r.GetPlainText()
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if _, err := text.ReadFrom(plain); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), r.NumPage(), text.String()
}

// drawn is a string a page draws, where its line starts (in PDF points from
// the bottom left corner).
type drawn struct {
	page int
	x, y float64
	text string
}

var showText = regexp.MustCompile(`BT ([0-9.]+) ([0-9.]+) Td \(((?:[^\\)]|\\.)*)\)Tj ET`)

// unescapePDF undoes the escapes fpdf writes in a string literal: \\, \(,
// \) and \r.
func unescapePDF(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) {
			i++
			if b[i] == 'r' {
				out = append(out, '\r')
				continue
			}
		}
		out = append(out, b[i])
	}
	return out
}

// drawnText reads the strings a PDF written with a Unicode font draws, from
// its pages' content streams: each is UTF-16 in the order it is laid out,
// left to right. (The text extraction library reads only the low byte of
// such strings.)
func drawnText(t *testing.T, data []byte) []drawn {
	t.Helper()
	var out []drawn
	err := api.ExtractContent(bytes.NewReader(data), nil, func(r io.Reader, page int) error {
		content, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		for _, m := range showText.FindAllSubmatch(content, -1) {
			x, _ := strconv.ParseFloat(string(m[1]), 64)
			y, _ := strconv.ParseFloat(string(m[2]), 64)
			raw := unescapePDF(m[3])
			if len(raw)%2 != 0 {
				return fmt.Errorf("page %d: odd UTF-16 string %q", page, raw)
			}
			u := make([]uint16, len(raw)/2)
			for i := range u {
				u[i] = uint16(raw[2*i])<<8 | uint16(raw[2*i+1])
			}
			out = append(out, drawn{page, x, y, string(utf16.Decode(u))})
		}
		return nil
	}, nil)
	if err != nil {
		t.Fatalf("read the PDF's content: %v", err)
	}
	if len(out) == 0 {
		t.Fatal("the PDF draws no text")
	}
	return out
}

// The Arabic factsheet is drawn in Arabic: every letter shaped, lines in
// display order, labels on the right of their figures, with the figures
// extractable as text.
func TestPDFArabic(t *testing.T) {
	data, pages, text := renderPDF(t, sampleFactsheet(), "ar")
	if pages < 1 || pages > 2 {
		t.Fatalf("the Arabic PDF has %d pages, want 1 or 2", pages)
	}
	for _, want := range []string{"01/01/2018", "01/04/2018", "30/06/2018", "83", "35", "2750", "11 / 10 / 8", "78 %", "<5"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Arabic PDF's text lacks %q:\n%s", want, text)
		}
	}
	if !bytes.Contains(data, []byte("/BaseFont /utf8"+arabicFont)) || !bytes.Contains(data, []byte("/FontFile2")) {
		t.Error("the Arabic PDF does not embed its Unicode font")
	}

	l, _ := Lang("ar")
	lines := drawnText(t, data)
	find := func(s string) (drawn, bool) {
		for _, d := range lines {
			if d.text == s {
				return d, true
			}
		}
		return drawn{}, false
	}
	for _, logical := range []string{
		l.T("title") + " — 01/04/2018 – 30/06/2018",
		l.T("ytd", "83", "01/01/2018"),
		l.T("medical", "<5"),
		l.T("trafficking", "<5", "تركيا <5"),
		l.T("female") + ": 9   " + l.T("male") + ": 26",
		l.T("phq2"),
		l.T("story") + ": قصة سعيد",
	} {
		if _, ok := find(arabic.Visual(logical)); !ok {
			t.Errorf("the PDF does not draw %q shaped in display order (%q)", logical, arabic.Visual(logical))
		}
	}
	for _, d := range lines {
		for _, r := range d.text {
			if r >= 0x0621 && r <= 0x064A {
				t.Errorf("page %d draws an unshaped letter %q in %q", d.page, r, d.text)
				break
			}
		}
	}
	// The first chart, the sex split, is on the right half: "Women" at the
	// right margin, its figure on its left, on the same row.
	women, ok := find(arabic.Visual(l.T("female")))
	if !ok {
		t.Fatal("the sex split's label is not drawn")
	}
	var figure *drawn
	for i, d := range lines {
		if d.text == "21" && d.page == 1 {
			figure = &lines[i]
		}
	}
	if figure == nil || figure.y != women.y || figure.x >= women.x || women.x < 595.28/2 {
		t.Errorf("women's label at %+v, its figure at %+v: want the label on the right half, the figure on its left", women, figure)
	}
	// The story's Arabic text is wrapped into several right-aligned lines,
	// the first beginning (on its right) with the text's first words.
	var storyLines int
	begins := false
	for _, d := range lines {
		if strings.Contains(d.text, arabic.Visual("ورشة")) {
			storyLines++
			begins = begins || strings.HasSuffix(d.text, arabic.Visual("فتح سعيد ورشة"))
		}
	}
	if storyLines < 2 || !begins {
		t.Errorf("the story is drawn on %d lines (first words at the start: %v), want it wrapped", storyLines, begins)
	}
}

// The French factsheet keeps the core fonts and its reading order.
func TestPDFFrench(t *testing.T) {
	_, pages, text := renderPDF(t, sampleFactsheet(), "fr")
	if pages < 1 || pages > 2 {
		t.Fatalf("the French PDF has %d pages", pages)
	}
	for _, want := range []string{"83 MIGRANTS DE RETOUR ASSIST", "<5 migrants de retour ont reçu une assistance médicale",
		"Femmes : 9   Hommes : 26", "Taux de réponse", "78 %", "2750", "Part PHQ-2 >= 3"} {
		if !strings.Contains(text, want) {
			t.Errorf("the French PDF's text lacks %q:\n%s", want, text)
		}
	}
}
