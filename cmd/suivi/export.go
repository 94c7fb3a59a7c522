package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"suivi/export"
	"suivi/storage"
)

func runExport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("export", env)
	format := fs.String("format", "", "csv or xlsx (default: from the --out file's extension)")
	from := fs.String("from", "", "first date, YYYY-MM-DD (answers: answered; returnees: returned; alerts: raised)")
	to := fs.String("to", "", "last date, YYYY-MM-DD, included")
	as := fs.String("as", "", "export as this staff handle, with what their role may see (default: the operator, every case)")
	out := fs.String("out", "", "file to write (required)")
	describeCommand(fs, "answers|returnees|alerts --out FILE [--format csv|xlsx] [--from DATE] [--to DATE] [--as HANDLE]",
		"Exports one row per answer, returnee or alert, streamed: memory stays flat whatever the size.",
		"With --as, what that staff member may see: a case worker their caseload; a supervisor every row,",
		"identifying their team's cases; a manager every row, none identified (no reference, birth date or free text).",
		"Every export is written to the audit log.")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || !slices.Contains(export.Tables, pos[0]) {
		return usagef("export: expected one of %s, got %q", strings.Join(export.Tables, ", "), strings.Join(pos, " "))
	}
	table := pos[0]
	if err := requireFlags(fs, "out"); err != nil {
		return err
	}
	if *format == "" {
		*format = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	}
	if !slices.Contains(export.Formats, *format) {
		return usagef("export: --format %q: expected csv or xlsx", *format)
	}
	window, err := exportWindow(*from, *to)
	if err != nil {
		return err
	}
	db, cfg, err := env.OpenDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	window.Loc = cfg.Timezone
	scope := export.Scope{Mode: export.ScopeAll}
	if *as != "" {
		s, err := storage.StaffByHandle(ctx, db, *as)
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("export: no staff with handle %q (see suivi staff list)", *as)
		}
		if err != nil {
			return err
		}
		if scope, err = export.ScopeFor(s.Role, s.ID); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	n, err := writeExportFile(*out, func(f *os.File) (int, error) {
		w, err := export.New(*format, f, table, cfg.Timezone)
		if err != nil {
			return 0, err
		}
		n, err := export.Write(ctx, db, table, scope, window, w)
		if err != nil {
			return n, err
		}
		return n, w.Close()
	})
	if err != nil {
		return fmt.Errorf("export %s: %w", table, err)
	}
	subject := *as
	if subject == "" {
		subject = "all"
	}
	if err := storage.WriteAuditAt(ctx, db, env.Now(), cliActor(env), "export."+table, subject, map[string]any{
		"format": *format, "from": *from, "to": *to, "rows": n, "scope": scope.Mode, "file": filepath.Base(*out)}); err != nil {
		os.Remove(*out) // an export not in the audit log is not kept
		return err
	}
	fmt.Fprintf(env.Stdout, "%s written to %s\n", countNoun(n, strings.TrimSuffix(table, "s")), *out)
	return nil
}

// exportWindow parses --from and --to.
func exportWindow(from, to string) (export.Window, error) {
	var w export.Window
	var err error
	if from != "" {
		if w.From, err = time.Parse(time.DateOnly, from); err != nil {
			return w, usagef("export: --from %q: expected a date YYYY-MM-DD, like 2018-04-01", from)
		}
	}
	if to != "" {
		if w.To, err = time.Parse(time.DateOnly, to); err != nil {
			return w, usagef("export: --to %q: expected a date YYYY-MM-DD, like 2018-06-30", to)
		}
	}
	if from != "" && to != "" && w.To.Before(w.From) {
		return w, usagef("export: --to %s is before --from %s", to, from)
	}
	return w, nil
}

// writeExportFile writes a temporary file beside path and renames it into
// place once complete, so a failed export leaves no partial file; the file
// holds personal data and is readable by its owner only.
func writeExportFile(path string, write func(*os.File) (int, error)) (int, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return 0, err
	}
	n, err := write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return n, err
	}
	return n, nil
}
