package main

import (
	"context"

	"suivi/app"
	"suivi/sandbox"
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
	if err := cfg.CheckServe(); err != nil {
		return err
	}
	logger := app.NewLogger(cfg, env.Stderr)
	if cfg.Sandbox() {
		// The sandbox: demonstration data, an adjustable clock and the page
		// at /sandbox, around the same app.
		return sandbox.Run(ctx, cfg, sandbox.Options{Logger: logger, Out: env.Stderr})
	}
	a, err := app.New(ctx, cfg, app.Options{Logger: logger})
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Run(ctx)
}
