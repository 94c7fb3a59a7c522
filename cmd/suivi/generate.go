package main

import (
	"context"
	"fmt"
	"time"

	"suivi/storage"
)

func runDev(ctx context.Context, env *Env, args []string) error {
	return subcommand(ctx, env, "dev", args, map[string]func(context.Context, *Env, []string) error{
		"generate": runDevGenerate,
	})
}

// runDevGenerate fills an empty database with synthetic returnees and
// answers, to measure reports at scale.
func runDevGenerate(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("dev generate", env)
	returnees := fs.Int("returnees", 10000, "synthetic returnees (references SYN-000001…)")
	answers := fs.Int("answers", 1000000, "synthetic answers spread over the last 12 months")
	force := fs.Bool("force", false, "add to a database that already holds real returnees")
	describeCommand(fs, "[--returnees N] [--answers N]",
		"Generates made-up returnees, check-ins, answers, scores and alerts, to measure reports at scale.",
		"Refuses a database holding real returnees unless --force: never run it on production data.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *returnees <= 0 || *answers < 0 {
		return usagef("dev generate: --returnees must be above 0 and --answers 0 or more")
	}
	db, _, err := env.OpenDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if err := storage.GenerateSynthetic(ctx, db, storage.Synthetic{Returnees: *returnees, Answers: *answers, Now: env.Now(), Force: *force}); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "generated %d returnees and %d answers in %.1f s\n", *returnees, *answers, time.Since(start).Seconds())
	return nil
}
