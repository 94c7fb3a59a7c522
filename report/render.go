package report

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strings"
)

// Formats are the report formats.
var Formats = []string{"pdf", "html", "md", "xlsx", "json"}

// Render writes the factsheet in format and language lang.
func Render(w io.Writer, f *Factsheet, format, lang string) error {
	l, err := Lang(lang)
	if err != nil {
		return err
	}
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(f)
	case "md":
		return writeMarkdown(w, f, l)
	case "html":
		return writeHTML(w, f, l)
	case "xlsx":
		return writeXLSX(w, f, l)
	case "pdf":
		return writePDF(w, f, l)
	}
	return fmt.Errorf("format %q: expected one of %s", format, strings.Join(Formats, ", "))
}

func scopeLine(f *Factsheet, l L) string {
	var parts []string
	for _, s := range []string{f.Programme, f.Region, f.Caseworker} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return l.T("scope") + l.Colon() + strings.Join(parts, ", ")
}

func writeMarkdown(w io.Writer, f *Factsheet, l L) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s — %s – %s\n\n", l.T("title"), l.Date(f.From), l.Date(f.To))
	if s := scopeLine(f, l); s != "" {
		fmt.Fprintf(&b, "%s\n\n", s)
	}
	for _, t := range Tables(f, l) {
		fmt.Fprintf(&b, "## %s\n\n", mdCell(t.Title))
		b.WriteString("| " + strings.Join(mdRow(t.Headers), " | ") + " |\n")
		b.WriteString("|" + strings.Repeat(" --- |", len(t.Headers)) + "\n")
		for _, r := range t.Rows {
			b.WriteString("| " + strings.Join(mdRow(r), " | ") + " |\n")
		}
		b.WriteString("\n")
	}
	if s := f.Period.Story; s != nil {
		fmt.Fprintf(&b, "## %s: %s\n\n%s\n\n", l.T("story"), mdCell(s.Title), s.Text)
	}
	if len(f.Suppressed) > 0 {
		fmt.Fprintf(&b, "_%s_\n", l.T("suppressed"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdRow(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = mdCell(c)
	}
	return out
}

func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "<", `\<`, "\n", " ").Replace(s)
}

// writeHTML writes one standalone page: styles and charts inline, nothing
// fetched from elsewhere.
func writeHTML(w io.Writer, f *Factsheet, l L) error {
	var b strings.Builder
	dir := "ltr"
	if l.lang == "ar" {
		dir = "rtl"
	}
	esc := html.EscapeString
	fmt.Fprintf(&b, `<!DOCTYPE html><html lang="%s" dir="%s"><head><meta charset="utf-8"><title>%s</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:start}h1{color:#0b4f8a}.charts{display:flex;flex-wrap:wrap;gap:1em}</style>
</head><body><h1>%s — %s – %s</h1>`, l.lang, dir, esc(l.T("title")), esc(l.T("title")), l.Date(f.From), l.Date(f.To))
	if s := scopeLine(f, l); s != "" {
		fmt.Fprintf(&b, "<p>%s</p>", esc(s))
	}
	b.WriteString(`<div class="charts">`)
	for _, c := range Charts(f, l) {
		b.WriteString(c.SVG())
	}
	b.WriteString(`</div>`)
	for _, t := range Tables(f, l) {
		fmt.Fprintf(&b, "<h2>%s</h2><table><tr>", esc(t.Title))
		for _, h := range t.Headers {
			fmt.Fprintf(&b, "<th>%s</th>", esc(h))
		}
		b.WriteString("</tr>")
		for _, r := range t.Rows {
			b.WriteString("<tr>")
			for _, c := range r {
				fmt.Fprintf(&b, "<td>%s</td>", esc(c))
			}
			b.WriteString("</tr>")
		}
		b.WriteString("</table>")
	}
	if s := f.Period.Story; s != nil {
		fmt.Fprintf(&b, "<h2>%s: %s</h2><p>%s</p>", esc(l.T("story")), esc(s.Title), esc(s.Text))
	}
	if len(f.Suppressed) > 0 {
		fmt.Fprintf(&b, "<p><em>%s</em></p>", esc(l.T("suppressed")))
	}
	b.WriteString("</body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}
