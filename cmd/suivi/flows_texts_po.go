package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"suivi/flows"
)

// PO (gettext) files, the format most translation tools read: one entry a
// text, msgctxt its stable context, msgid the source text (French, or
// English for French), msgstr the translation, a #. comment with the English
// text as a hint and a #: reference to the file and line.

func writeTextsPO(w io.Writer, lang string, entries []flows.TextEntry) {
	src := sourceLang(lang)
	fmt.Fprintf(w, "# Suivi: texts of the flows and of texts.yaml, to translate into %s.\n", lang)
	fmt.Fprintf(w, "# Keep every {placeholder} and %%s as it is. Import with: suivi flows texts import FILE\n")
	fmt.Fprintf(w, "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\"Language: %s\\n\"\n\"X-Source-Language: %s\\n\"\n", lang, src)
	for _, e := range entries {
		fmt.Fprintln(w)
		if src != "en" && lang != "en" {
			fmt.Fprintf(w, "#. en: %s\n", strings.ReplaceAll(e.Text["en"], "\n", "\\n"))
		}
		fmt.Fprintf(w, "#: %s:%d\n", e.File, e.Line)
		fmt.Fprintf(w, "msgctxt %s\nmsgid %s\nmsgstr %s\n", poQuote(e.Context), poQuote(e.Text[src]), poQuote(e.Text[lang]))
	}
}

func poQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`, "\r", `\r`)
	return `"` + r.Replace(s) + `"`
}

// poUnquote reads one quoted PO string.
func poUnquote(s string) (string, error) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", fmt.Errorf("expected a text in double quotes")
	}
	s = s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' {
			return "", fmt.Errorf(`a " inside a text must be written \"`)
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			return "", fmt.Errorf("the text ends with a lone \\")
		}
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '"', '\\':
			b.WriteByte(s[i])
		default:
			return "", fmt.Errorf("unknown escape \\%c", s[i])
		}
	}
	return b.String(), nil
}

// readPO reads a PO file: its language (the header's Language) and its
// entries, each with the line of its msgstr. Untranslated entries are
// translations to an empty text, which the import refuses.
func readTextsPO(path string, data []byte) (string, []translation, error) {
	var (
		lang    string
		out     []translation
		cur     translation
		field   *string
		has     bool // cur has a msgid
		lineNo  int
		errs    []string
		fields  = map[string]bool{}
		flush   func()
		header  string
		inEntry bool
	)
	flush = func() {
		if has {
			if cur.context == "" && cur.source == "" {
				header = cur.text
			} else {
				out = append(out, cur)
			}
		}
		cur, field, has, inEntry, fields = translation{}, nil, false, false, map[string]bool{}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if lineNo == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		switch {
		case line == "":
			flush()
			continue
		case strings.HasPrefix(line, "#~"):
			continue // an obsolete entry
		case strings.HasPrefix(line, "#"):
			if inEntry && fields["msgstr"] {
				flush()
			}
			continue
		case strings.HasPrefix(line, `"`):
			if field == nil {
				errs = append(errs, fmt.Sprintf("%s:%d: a text line outside msgctxt, msgid or msgstr", path, lineNo))
				continue
			}
			s, err := poUnquote(line)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s:%d: %v", path, lineNo, err))
				continue
			}
			*field += s
			continue
		}
		kw, rest, _ := strings.Cut(line, " ")
		if kw == "msgid_plural" || strings.HasPrefix(kw, "msgstr[") {
			errs = append(errs, fmt.Sprintf("%s:%d: plural forms are not used by Suivi's texts", path, lineNo))
			continue
		}
		if kw != "msgctxt" && kw != "msgid" && kw != "msgstr" {
			errs = append(errs, fmt.Sprintf("%s:%d: unknown keyword %q: expected msgctxt, msgid or msgstr", path, lineNo, kw))
			continue
		}
		if fields[kw] || kw != "msgstr" && fields["msgstr"] {
			flush() // a new entry without a blank line before it
		}
		fields[kw], inEntry = true, true
		s, err := poUnquote(strings.TrimSpace(rest))
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s:%d: %v", path, lineNo, err))
		}
		switch kw {
		case "msgctxt":
			cur.context, field = s, &cur.context
		case "msgid":
			cur.source, field, has = s, &cur.source, true
		case "msgstr":
			cur.text, field, cur.line = s, &cur.text, lineNo
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return "", nil, fmt.Errorf("read %s: %w", path, err)
	}
	for _, l := range strings.Split(header, "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "Language") {
			lang = strings.TrimSpace(v)
		}
	}
	for _, t := range out {
		if t.context == "" {
			errs = append(errs, fmt.Sprintf("%s:%d: entry without msgctxt: every Suivi text has one, keep it", path, t.line))
		}
	}
	if len(errs) > 0 {
		return "", nil, fmt.Errorf("%d problem(s) in %s, nothing written:\n%s", len(errs), path, strings.Join(errs, "\n"))
	}
	return lang, out, nil
}
