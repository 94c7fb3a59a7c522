package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"

	"suivi/flows"
)

func runFlows(ctx context.Context, env *Env, args []string) error {
	return subcommand(ctx, env, "flows", args, map[string]func(context.Context, *Env, []string) error{
		"lint":  runFlowsLint,
		"list":  runFlowsList,
		"texts": runFlowsTexts,
	})
}

// runFlowsLint checks a folder of definitions (the embedded ones without
// one) and prints every problem with file, line and fix.
func runFlowsLint(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("flows lint", env)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usagef("suivi flows lint: expected at most one directory")
	}
	fsys, where := flows.EmbeddedFS(), "embedded definitions"
	if fs.NArg() == 1 {
		dir := fs.Arg(0)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return usagef("suivi flows lint: %s is not a readable directory", dir)
		}
		fsys, where = os.DirFS(dir), dir
	}
	problems := flows.Lint(fsys)
	for _, p := range problems {
		fmt.Fprintln(env.Stdout, p.String())
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d problem(s) in %s", len(problems), where)
	}
	fmt.Fprintf(env.Stdout, "%s: no problems\n", where)
	return nil
}

func runFlowsList(ctx context.Context, env *Env, args []string) error {
	cfg, err := env.Config()
	if err != nil {
		return err
	}
	cat, err := cfg.LoadFlows()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tVERSION\tSCHEDULE\tTITLE")
	for _, d := range cat.List() {
		sched := d.Schedule.Trigger
		if len(d.Schedule.Months) > 0 {
			sched += fmt.Sprintf(" months %v", d.Schedule.Months)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", d.ID, d.Version, sched, d.Title.In("en"))
	}
	return tw.Flush()
}
