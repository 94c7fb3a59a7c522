package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"suivi/report"
	"suivi/storage"
)

func runReport(ctx context.Context, env *Env, args []string) error {
	return subcommand(ctx, env, "report", args, map[string]func(context.Context, *Env, []string) error{
		"factsheet": runReportFactsheet,
		"story":     runReportStory,
	})
}

func runReportFactsheet(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("report factsheet", env)
	from := fs.String("from", "", "first day of the period, YYYY-MM-DD (required)")
	to := fs.String("to", "", "last day of the period, YYYY-MM-DD (required)")
	ytdFrom := fs.String("ytd-from", "", "first day of the year-to-date block (default: 1 January of the period's year)")
	programme := fs.String("programme", "", "only this programme")
	region := fs.String("region", "", "only this region of return")
	caseworker := fs.String("caseworker", "", "only this case worker's caseload, in full (small cells shown)")
	cells := fs.String("small-cells", "suppress", "suppress (figures about fewer than 5 people shown as <5) or show, for a publication cleared to show them")
	format := fs.String("format", "", "pdf, html, md, xlsx or json (required)")
	lang := fs.String("lang", "fr", "fr, en or ar")
	out := fs.String("out", "", "file to write (required)")
	describeCommand(fs, "--from DATE --to DATE [--ytd-from DATE] [--programme P] [--region R] --format pdf|html|md|xlsx|json --lang fr|en|ar --out FILE",
		"Writes the factsheet: the year to date, the period and the follow-up indicators.",
		"A returnee counts in a window when their return date falls in it. Every report is written to the audit log.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := requireFlags(fs, "from", "to", "format", "out"); err != nil {
		return err
	}
	p := report.Params{Programme: *programme, Region: *region, Now: env.Now()}
	var err error
	if p.Period.From, err = report.ParseDay("from", *from); err != nil {
		return usagef("report factsheet: %v", err)
	}
	if p.Period.To, err = report.ParseDay("to", *to); err != nil {
		return usagef("report factsheet: %v", err)
	}
	if p.Period.To.Before(p.Period.From) {
		return usagef("report factsheet: --to %s is before --from %s", *to, *from)
	}
	if *ytdFrom != "" {
		if p.YTDFrom, err = report.ParseDay("ytd-from", *ytdFrom); err != nil {
			return usagef("report factsheet: %v", err)
		}
	}
	if !slices.Contains(report.Formats, *format) {
		return usagef("report factsheet: --format %q: expected one of %s", *format, strings.Join(report.Formats, ", "))
	}
	if !slices.Contains(report.Langs, *lang) {
		return usagef("report factsheet: --lang %q: expected one of %s", *lang, strings.Join(report.Langs, ", "))
	}
	switch *cells {
	case "suppress":
	case "show":
		p.ShowSmallCells = true
	default:
		return usagef("report factsheet: --small-cells %q: expected suppress or show", *cells)
	}
	db, _, err := env.OpenDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if *caseworker != "" {
		s, err := storage.StaffByHandle(ctx, db, *caseworker)
		if err != nil {
			return fmt.Errorf("report factsheet: --caseworker %s: no such staff member (suivi staff list): %w", *caseworker, err)
		}
		p.CaseworkerID, p.Caseworker, p.ShowSmallCells = s.ID, s.Handle, true
	}
	f, err := report.Build(ctx, db, p)
	if err != nil {
		return fmt.Errorf("report factsheet: %w", err)
	}
	var buf bytes.Buffer
	if err := report.Render(&buf, f, *format, *lang); err != nil {
		return fmt.Errorf("report factsheet: %w", err)
	}
	if err := writeFileAtomic(*out, buf.Bytes(), 0o640); err != nil {
		return fmt.Errorf("report factsheet: %w", err)
	}
	if err := report.Audit(ctx, db, env.Now(), cliActor(env), f, *format, *lang); err != nil {
		return fmt.Errorf("report factsheet: %w", err)
	}
	fmt.Fprintf(env.Stdout, "wrote %s (%s, %s to %s, %d figures shown as <5)\n", *out, *format, f.From, f.To, len(f.Suppressed))
	return nil
}
