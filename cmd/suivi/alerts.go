package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode"

	"suivi/followup"
	"suivi/storage"
)

func runAlerts(ctx context.Context, env *Env, args []string) error {
	return subcommand(ctx, env, "alerts", args, map[string]func(context.Context, *Env, []string) error{
		"list": runAlertsList,
	})
}

var alertStatuses = []string{"open", "acknowledged", "resolved"}

func runAlertsList(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("alerts list", env)
	status := fs.String("status", "", "only alerts with this status: open, acknowledged or resolved")
	ref := fs.String("ref", "", "only the alerts of this returnee")
	limit := fs.Int("limit", 1000, "at most this many alerts, newest first")
	lang := fs.String("lang", "en", "language of the reasons: fr, ar or en")
	describeCommand(fs, "[--status open] [--ref REF] [--limit N] [--lang en]", "Lists alerts, newest first.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *status != "" && !slices.Contains(alertStatuses, *status) {
		return usagef("alerts list: --status %q: expected open, acknowledged or resolved", *status)
	}
	if !slices.Contains([]string{"fr", "ar", "en"}, *lang) {
		return usagef("alerts list: --lang %q: expected fr, ar or en", *lang)
	}
	if *limit <= 0 {
		return usagef("alerts list: --limit %d: expected a positive number", *limit)
	}
	db, cfg, err := env.OpenDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	cat, err := cfg.LoadFlows()
	if err != nil {
		return err
	}
	filter := storage.AlertFilter{Status: *status, Limit: *limit}
	if *ref != "" {
		r, err := storage.ReturneeByRef(ctx, db, *ref)
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("alerts list: no returnee with ref %q", *ref)
		}
		if err != nil {
			return err
		}
		filter.ReturneeID = r.ID
	}
	alerts, err := storage.ListAlerts(ctx, db, filter)
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(alerts))
	for _, a := range alerts {
		if a.ReturneeID != nil {
			ids = append(ids, *a.ReturneeID)
		}
	}
	refs, err := storage.ReturneeRefs(ctx, db, ids)
	if err != nil {
		return err
	}
	subject := *ref
	if subject == "" {
		subject = "all"
	}
	if err := storage.WriteAuditAt(ctx, db, env.Now(), cliActor(env), "alerts.list", subject,
		map[string]any{"status": *status, "count": len(alerts)}); err != nil {
		return err
	}
	t := newTable(env.Stdout)
	fmt.Fprintln(t, "ID\tCREATED\tREF\tCATEGORY\tSEVERITY\tSTATUS\tREASON")
	for _, a := range alerts {
		r := ""
		if a.ReturneeID != nil {
			r = refs[*a.ReturneeID]
		}
		fmt.Fprintf(t, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.CreatedAt.In(cfg.Timezone).Format("2006-01-02 15:04"),
			orDash(r), a.Category, a.Severity, a.Status, orDash(tableCell(followup.RenderAlert(cat, *lang, a))))
	}
	return t.Flush()
}

// Helpers shared by the enrolment and list commands.

// cliActor names who runs a command in the audit log.
func cliActor(env *Env) string {
	user := env.Getenv("USER")
	if user == "" {
		user = "unknown"
	}
	return "cli:" + user
}

// describeCommand sets a flag set's help: the usage line, then what it does.
func describeCommand(fs *flag.FlagSet, synopsis string, lines ...string) {
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: %s %s\n", fs.Name(), synopsis)
		for _, l := range lines {
			fmt.Fprintln(w, l)
		}
		fs.PrintDefaults()
	}
}

// parseInterspersed parses flags placed before or after the positional
// arguments (suivi returnees import FILE.csv --skip-invalid) and returns
// the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) }

// tableCell keeps a free-text value on one line of a table, shortened to 80 characters.
func tableCell(s string) string {
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "…"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
