package main

import (
	"context"

	"suivi/app"
)

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("serve", env)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := env.Config()
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, app.Options{Logger: app.NewLogger(cfg, env.Stderr)})
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Run(ctx)
}
