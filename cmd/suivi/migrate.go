package main

import (
	"context"
	"fmt"

	"suivi/storage"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func runVersion(ctx context.Context, env *Env, args []string) error {
	fmt.Fprintf(env.Stdout, "suivi %s (schema %d)\n", version, storage.LatestVersion())
	return nil
}

func runMigrate(ctx context.Context, env *Env, args []string) error {
	cfg, err := env.Config()
	if err != nil {
		return err
	}
	if err := storage.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	db, err := storage.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := storage.Migrate(ctx, db)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(env.Stdout, "schema is current (version %d)\n", storage.LatestVersion())
		return nil
	}
	fmt.Fprintf(env.Stdout, "applied migrations %v; schema at version %d\n", applied, storage.LatestVersion())
	return nil
}
