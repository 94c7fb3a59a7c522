package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"suivi/storage"
)

// runCheckins opens a check-in now, for staff to test a flow with a
// returnee; the running server's sender delivers it.
func runCheckins(ctx context.Context, env *Env, args []string) error {
	return subcommand(ctx, env, "checkins", args, map[string]func(context.Context, *Env, []string) error{
		"start": runCheckinsStart,
	})
}

func runCheckinsStart(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("checkins start", env)
	ref := fs.String("ref", "", "case reference of the returnee")
	flowID := fs.String("flow", "", "flow id (see suivi flows list)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := requireFlags(fs, "ref", "flow"); err != nil {
		return err
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
	if _, ok := cat.Latest(*flowID); !ok {
		return usagef("suivi checkins start: --flow %q: no such flow (see suivi flows list)", *flowID)
	}
	conv := cfg.Conversations(cat, env.Now, slog.New(slog.DiscardHandler))
	var id int64
	err = storage.InTx(ctx, db, func(tx *sql.Tx) error {
		r, err := storage.ReturneeByRef(ctx, tx, *ref)
		if err != nil {
			return err
		}
		if r, err = storage.LockReturnee(ctx, tx, r.ID); err != nil {
			return err
		}
		if id, err = conv.Start(ctx, tx, r, *flowID, storage.LaneReply); err != nil {
			return err
		}
		return storage.WriteAuditAt(ctx, tx, env.Now(), cliActor(env), "checkin.start", r.Ref, map[string]any{"flow": *flowID})
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "check-in %s opened for %s (conversation %d) at %s; the running server sends it\n",
		*flowID, *ref, id, env.Now().Format(time.RFC3339))
	return nil
}
