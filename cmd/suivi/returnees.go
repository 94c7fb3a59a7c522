package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"suivi/enrol"
	"suivi/storage"
)

func runReturnees(ctx context.Context, env *Env, args []string) error {
	return subcommand(ctx, env, "returnees", args, map[string]func(context.Context, *Env, []string) error{
		"import": runReturneesImport,
		"add":    runReturneesAdd,
		"invite": runReturneesInvite,
		"list":   runReturneesList,
	})
}

func runReturneesImport(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("returnees import", env)
	skip := fs.Bool("skip-invalid", false, "import the valid rows and report the others, instead of rejecting the whole file")
	describeCommand(fs, "FILE.csv|FILE.xlsx [--skip-invalid]",
		"Imports returnees from a CSV file (fields separated by , or ; or tabs) or the first sheet of an",
		"Excel workbook (.xlsx, date cells read as dates), with a header line naming the columns, in any order:",
		"  "+strings.Join(enrol.Columns, ","),
		"A file with an invalid row is rejected whole, listing every problem, unless --skip-invalid.",
		"A reference already known is updated, never duplicated. The import is one transaction.")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("returnees import: expected one FILE.csv or FILE.xlsx, got %d arguments", len(files))
	}
	path := files[0]
	file, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("returnees import: %w", err)
	}
	defer file.Close()
	db, checker, err := openEnrolment(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := checker.ReadFile(path, file)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	invalid := res.InvalidLines()
	unit := "line"
	if strings.EqualFold(filepath.Ext(path), ".xlsx") {
		unit = "row"
	}
	if invalid > 0 && !*skip {
		return fmt.Errorf("%s: %s, nothing imported (fix them, or import the valid %ss with --skip-invalid):\n%w%s",
			path, countNoun(invalid, "invalid "+unit), unit, &enrol.ProblemsError{Problems: res.Problems}, staffHint(res.UnknownCaseworkers()))
	}
	for _, p := range res.Problems {
		fmt.Fprintf(env.Stderr, "skipped %s\n", p)
	}
	if hint := staffHint(res.UnknownCaseworkers()); hint != "" {
		fmt.Fprintln(env.Stderr, strings.TrimSpace(hint))
	}
	if len(res.Rows) == 0 {
		return fmt.Errorf("%s: no valid returnee to import", path)
	}
	var created, updated int
	err = storage.InTx(ctx, db, func(tx *sql.Tx) error {
		if created, updated, err = storage.UpsertReturnees(ctx, tx, res.Inputs()); err != nil {
			return err
		}
		return storage.WriteAudit(ctx, tx, cliActor(env), "returnees.import", filepath.Base(path), map[string]any{
			"created": created, "updated": updated, "invalid": invalid})
	})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	deleted := len(res.Rows) - created - updated
	fmt.Fprintf(env.Stdout, "%d returnees: %d created, %d updated, %d skipped\n",
		len(res.Rows)+invalid, created, updated, invalid+deleted)
	if deleted > 0 {
		fmt.Fprintf(env.Stdout, "%d of the skipped were deleted at their request and stay deleted\n", deleted)
	}
	return nil
}

// staffHint gives the commands that add the missing case workers.
func staffHint(handles []string) string {
	var b strings.Builder
	for i, h := range handles {
		if i == 0 {
			b.WriteString("\nadd the missing staff first, then import again:")
		}
		fmt.Fprintf(&b, "\n  suivi staff add --handle %s --name NAME --role caseworker", h)
	}
	return b.String()
}

func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// returneeFlags maps each import column to its flag: birth_date → --birth-date.
func returneeFlags(fs *flag.FlagSet) map[string]*string {
	help := map[string]string{
		"ref":             "case reference, like MA-2018-0001 (required)",
		"sex":             "F or M (required)",
		"birth_date":      "date of birth, YYYY-MM-DD (required)",
		"return_date":     "date of return, YYYY-MM-DD (required)",
		"host_country":    "ISO code of the country returned from, like IT (required)",
		"region":          "region of return (required)",
		"programme":       "assisting programme, like AVRR (required)",
		"caseworker":      "handle of the case worker (required)",
		"assistance":      "assistance received, like material;microproject",
		"sector":          "micro-project sector: agriculture, services or commerce",
		"vulnerabilities": "like medical;trafficking",
	}
	out := map[string]*string{}
	for _, col := range enrol.Columns {
		out[col] = fs.String(flagName(col), "", help[col])
	}
	return out
}

func flagName(column string) string { return strings.ReplaceAll(column, "_", "-") }

func runReturneesAdd(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("returnees add", env)
	values := returneeFlags(fs)
	describeCommand(fs, "--ref REF --sex F|M ... [--assistance --sector --vulnerabilities]",
		"Adds one returnee, or updates the one with that reference; the checks are those of an import row.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	required := make([]string, len(enrol.RequiredColumns))
	for i, col := range enrol.RequiredColumns {
		required[i] = flagName(col)
	}
	if err := requireFlags(fs, required...); err != nil {
		return err
	}
	db, checker, err := openEnrolment(ctx, env)
	if err != nil {
		return err
	}
	defer db.Close()
	fields := enrol.Fields{}
	for col, v := range values {
		fields[col] = strings.TrimSpace(*v)
	}
	in, problems := checker.Check(fields)
	if len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = p.Message("--" + flagName(p.Field))
		}
		return usagef("returnees add: %s", strings.Join(msgs, "; "))
	}
	var created, updated int
	err = storage.InTx(ctx, db, func(tx *sql.Tx) error {
		if created, updated, err = storage.UpsertReturnees(ctx, tx, []storage.ReturneeInput{in}); err != nil {
			return err
		}
		return storage.WriteAudit(ctx, tx, cliActor(env), "returnees.add", in.Ref, map[string]any{"created": created == 1})
	})
	if err != nil {
		return fmt.Errorf("returnees add: %w", err)
	}
	switch {
	case created == 1:
		fmt.Fprintf(env.Stdout, "created returnee %s; invite them with: suivi returnees invite --ref %s\n", in.Ref, in.Ref)
	case updated == 1:
		fmt.Fprintf(env.Stdout, "updated returnee %s\n", in.Ref)
	default:
		fmt.Fprintf(env.Stdout, "returnee %s was deleted at their request; nothing changed\n", in.Ref)
	}
	return nil
}

// openEnrolment opens the database and a checker that knows today's date in
// the configured time zone and the staff handles.
func openEnrolment(ctx context.Context, env *Env) (*sql.DB, enrol.Checker, error) {
	db, cfg, err := env.OpenDB(ctx)
	if err != nil {
		return nil, enrol.Checker{}, err
	}
	staff, err := storage.ListStaff(ctx, db)
	if err != nil {
		db.Close()
		return nil, enrol.Checker{}, err
	}
	handles := make(map[string]bool, len(staff))
	for _, s := range staff {
		handles[s.Handle] = true
	}
	return db, enrol.Checker{Now: env.Now().In(cfg.Timezone), Caseworkers: handles}, nil
}

func runReturneesList(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("returnees list", env)
	caseworker := fs.String("caseworker", "", "only the caseload of this case worker handle")
	describeCommand(fs, "[--caseworker HANDLE]", "Lists returnees by reference (Suivi stores no names).")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, _, err := env.OpenDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := storage.ListReturnees(ctx, db, *caseworker)
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("returnees list: no staff with handle %q (see suivi staff list)", *caseworker)
	}
	if err != nil {
		return err
	}
	subject := *caseworker
	if subject == "" {
		subject = "all"
	}
	if err := storage.WriteAuditAt(ctx, db, env.Now(), cliActor(env), "returnees.list", subject, map[string]any{"count": len(rows)}); err != nil {
		return err
	}
	t := newTable(env.Stdout)
	fmt.Fprintln(t, "REF\tSEX\tRETURNED\tCASEWORKER\tCONSENT\tSTATUS\tBOUND")
	for _, r := range rows {
		returned := "" // erased at their request: only the reference is left
		if !r.ReturnDate.IsZero() {
			returned = r.ReturnDate.Format(time.DateOnly)
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Ref, orDash(r.Sex), orDash(returned),
			orDash(r.CaseworkerHandle), r.Consent, r.Status, yesNo(r.Bound))
	}
	return t.Flush()
}
