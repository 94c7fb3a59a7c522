package main

import (
	"context"

	"suivi/app"
	"suivi/scheduler"
)

func runSchedule(ctx context.Context, env *Env, args []string) error {
	return subcommand(ctx, env, "schedule", args, map[string]func(context.Context, *Env, []string) error{
		"preview": runSchedulePreview,
	})
}

// runSchedulePreview lists a returnee's coming check-ins, one line each:
// flow, local date and time, time zone.
func runSchedulePreview(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("schedule preview", env)
	ref := fs.String("ref", "", "case reference of the returnee")
	limit := fs.Int("limit", 20, "how many occurrences to list")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := requireFlags(fs, "ref"); err != nil {
		return err
	}
	if *limit < 1 {
		return usagef("suivi schedule preview: --limit must be at least 1")
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
	lines, err := scheduler.Preview(ctx, db, *ref, app.Campaigns(cat), cfg.Timezone, env.Now(), *limit)
	if err != nil {
		return err
	}
	return scheduler.FormatPreview(env.Stdout, lines)
}
