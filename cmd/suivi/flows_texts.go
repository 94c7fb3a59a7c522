package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing/fstest"

	"suivi/flows"
)

// The translators' round trip: `suivi flows texts export --lang ar --format
// po` writes every text of every flow and of texts.yaml for a translator's
// tool (PO or CSV), `suivi flows texts import FILE` writes the translations
// back into the definition files, after the lint has passed on the result.
//
// The embedded definitions are part of the binary and cannot be written:
// import writes into the flows folder (SUIVI_FLOWS_DIR, or --dir), copying
// an embedded file there the first time one of its texts changes. The copy
// has the same flow id and version, so it replaces the embedded one when the
// service loads the folder; texts.yaml's keys replace the embedded ones.

func runFlowsTexts(ctx context.Context, env *Env, args []string) error {
	return subcommand(ctx, env, "flows texts", args, map[string]func(context.Context, *Env, []string) error{
		"export": runFlowsTextsExport,
		"import": runFlowsTextsImport,
	})
}

// translation is one text of an import file, with where it is in the file.
type translation struct {
	context string
	source  string
	text    string
	line    int
}

func runFlowsTextsExport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("flows texts export", env)
	lang := fs.String("lang", "", "language to translate into: fr, ar or en")
	format := fs.String("format", "po", "po or csv")
	dir := fs.String("dir", env.Getenv("SUIVI_FLOWS_DIR"), "flows folder over the embedded definitions (default SUIVI_FLOWS_DIR)")
	out := fs.String("o", "", "file to write (default: standard output)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := requireFlags(fs, "lang"); err != nil {
		return err
	}
	if !flows.SupportedLanguage(*lang) {
		return usagef("suivi flows texts export: --lang %q: expected fr, ar or en", *lang)
	}
	if *format != "po" && *format != "csv" {
		return usagef("suivi flows texts export: --format %q: expected po or csv", *format)
	}
	files, err := flowFiles(*dir)
	if err != nil {
		return err
	}
	entries, err := flows.ExtractTexts(files)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if *format == "po" {
		writeTextsPO(&buf, *lang, entries)
	} else if err := writeTextsCSV(&buf, *lang, entries); err != nil {
		return err
	}
	if *out == "" {
		_, err = env.Stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	fmt.Fprintf(env.Stdout, "%d texts written to %s\n", len(entries), *out)
	return nil
}

// sourceLang is the language a translator reads from: French, the
// programme's reference, or English for a French translation.
func sourceLang(lang string) string {
	if lang == "fr" {
		return "en"
	}
	return "fr"
}

func runFlowsTextsImport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("flows texts import", env)
	langFlag := fs.String("lang", "", "language of the translations (default: the file's)")
	dir := fs.String("dir", env.Getenv("SUIVI_FLOWS_DIR"), "flows folder to write into (default SUIVI_FLOWS_DIR)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("suivi flows texts import: expected one PO or CSV file")
	}
	if *dir == "" {
		return usagef("suivi flows texts import: set SUIVI_FLOWS_DIR or --dir: the embedded definitions cannot be written, translations go to the flows folder")
	}
	if st, err := os.Stat(*dir); err != nil || !st.IsDir() {
		return usagef("suivi flows texts import: %s is not a readable directory", *dir)
	}
	path := fs.Arg(0)
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	var (
		lang string
		trs  []translation
	)
	switch strings.ToLower(filepath.Ext(path)) {
	case ".po", ".pot":
		lang, trs, err = readTextsPO(path, data)
	case ".csv":
		lang, trs, err = readTextsCSV(path, data)
	default:
		return usagef("suivi flows texts import: %s: expected a .po or .csv file", path)
	}
	if err != nil {
		return err
	}
	if *langFlag != "" {
		lang = *langFlag
	}
	if !flows.SupportedLanguage(lang) {
		return usagef("suivi flows texts import: %s: language %q: expected fr, ar or en (give --lang)", path, lang)
	}
	n, changed, err := importTranslations(path, *dir, lang, trs)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s: %d texts read, %d changed in %d file(s) of %s; lint passed\n", path, len(trs), n, len(changed), *dir)
	return nil
}

// importTranslations checks every translation, applies them, lints the
// whole folder as it would be, and only then writes the changed files. It
// returns how many texts changed and the files written.
func importTranslations(path, dir, lang string, trs []translation) (int, []string, error) {
	files, err := flowFiles(dir)
	if err != nil {
		return 0, nil, err
	}
	entries, err := flows.ExtractTexts(files)
	if err != nil {
		return 0, nil, err
	}
	known := map[string]flows.TextEntry{}
	for _, e := range entries {
		known[e.Context] = e
	}
	var problems []string
	tr := map[string]string{}
	seen := map[string]int{}
	n := 0
	for _, t := range trs {
		where := fmt.Sprintf("%s:%d", path, t.line)
		e, ok := known[t.context]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s: %q is no text of the flows (was it renamed?)", where, t.context))
			continue
		case seen[t.context] > 0:
			problems = append(problems, fmt.Sprintf("%s: %q is given twice (first on line %d)", where, t.context, seen[t.context]))
			continue
		case strings.TrimSpace(t.text) == "":
			problems = append(problems, fmt.Sprintf("%s: %s: empty translation", where, t.context))
			continue
		}
		seen[t.context] = t.line
		ref := e.Text[sourceLang(lang)]
		if want, got := flows.Placeholders(ref), flows.Placeholders(t.text); !slices.Equal(want, got) {
			problems = append(problems, fmt.Sprintf("%s: %s: placeholders %v, the %s text has %v: keep each one, untranslated",
				where, t.context, got, sourceLang(lang), want))
			continue
		}
		if e.Text[lang] != t.text {
			n++
		}
		tr[t.context] = t.text
	}
	if len(problems) > 0 {
		return 0, nil, fmt.Errorf("%d problem(s), nothing written:\n%s", len(problems), strings.Join(problems, "\n"))
	}
	changed, err := flows.ApplyTranslations(files, lang, tr)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: nothing written: %w", path, err)
	}
	merged := fstest.MapFS{}
	for name, data := range files {
		merged[name] = &fstest.MapFile{Data: data}
	}
	for name, data := range changed {
		merged[name] = &fstest.MapFile{Data: data}
	}
	if lint := flows.Lint(merged); len(lint) > 0 {
		return 0, nil, fmt.Errorf("the translations break the flows, nothing written:\n%s", lintLines(path, dir, lang, lint, trs, merged))
	}
	var written []string
	for _, name := range slices.Sorted(maps.Keys(changed)) {
		if err := writeFileAtomic(filepath.Join(dir, name), changed[name]); err != nil {
			return 0, written, err
		}
		written = append(written, name)
	}
	return n, written, nil
}

// lintLines gives each lint problem with the line of the import file whose
// text it is about, when one is.
func lintLines(path, dir, lang string, problems []flows.Problem, trs []translation, merged fstest.MapFS) string {
	files := map[string][]byte{}
	for name, f := range merged {
		files[name] = f.Data
	}
	at := map[string]string{} // "file:line" → import location
	if entries, err := flows.ExtractTexts(files); err == nil {
		line := map[string]int{}
		for _, t := range trs {
			line[t.context] = t.line
		}
		for _, e := range entries {
			if l, ok := line[e.Context]; ok {
				where := fmt.Sprintf("%s:%d (%s)", path, l, e.Context)
				at[fmt.Sprintf("%s:%d", e.File, e.Lines[lang])] = where
				at[fmt.Sprintf("%s:%d", e.File, e.Line)] = where
			}
		}
	}
	var out []string
	for _, p := range problems {
		s := p
		s.File = filepath.Join(dir, p.File)
		if where, ok := at[fmt.Sprintf("%s:%d", p.File, p.Line)]; ok {
			out = append(out, where+": "+s.String())
		} else {
			out = append(out, s.String())
		}
	}
	return strings.Join(out, "\n")
}
