package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"suivi/bot"
	"suivi/storage"
)

// runUpdates inspects Telegram updates that intake gave up on.
func runUpdates(ctx context.Context, env *Env, args []string) error {
	return subcommand(ctx, env, "updates", args, map[string]func(context.Context, *Env, []string) error{
		"dead-letters": runDeadLetters,
	})
}

// runDeadLetters lists the dead letters, or hands one back to the router
// with --retry. The list shows no message text: only ids, counts, times and
// the error.
func runDeadLetters(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("updates dead-letters", env)
	retry := fs.Int64("retry", 0, "hand dead letter ID back to the bot: removed when it succeeds, kept with one more attempt when it fails")
	describeCommand(fs, "[--retry ID]", "Lists the updates given up after failing every attempt, or retries one.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *retry < 0 {
		return usagef("updates dead-letters: --retry %d: expected a dead letter id", *retry)
	}
	db, cfg, err := env.OpenDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if *retry == 0 {
		letters, err := storage.DeadLetters(ctx, db)
		if err != nil {
			return err
		}
		t := newTable(env.Stdout)
		fmt.Fprintln(t, "ID\tUPDATE\tATTEMPTS\tFIRST FAILURE\tLAST FAILURE\tERROR")
		for _, d := range letters {
			fmt.Fprintf(t, "%d\t%d\t%d\t%s\t%s\t%s\n", d.ID, d.UpdateID, d.Attempts,
				d.FirstFailedAt.UTC().Format(time.DateTime), d.LastFailedAt.UTC().Format(time.DateTime), tableCell(d.Error))
		}
		return t.Flush()
	}
	cat, err := cfg.LoadFlows()
	if err != nil {
		return err
	}
	log := slog.New(slog.DiscardHandler)
	conv := cfg.Conversations(cat, env.Now, log)
	router := &bot.Router{DB: db, Texts: cat.Texts, Logger: log, Now: env.Now,
		Returnees: &bot.ReturneeHandler{Conv: conv}}
	err = router.RetryDeadLetter(ctx, *retry)
	var failed *bot.RetryFailedError
	switch {
	case errors.Is(err, storage.ErrNoDeadLetter):
		return fmt.Errorf("updates dead-letters: no dead letter %d (see suivi updates dead-letters)", *retry)
	case errors.As(err, &failed):
		return fmt.Errorf("dead letter %d failed again and is kept, now with %d attempts: %w", *retry, failed.Attempts, failed.Err)
	case err != nil:
		return err
	}
	if err := storage.WriteAudit(ctx, db, cliActor(env), "updates.retry", fmt.Sprint(*retry), nil); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "dead letter %d handled and removed; the running server sends any reply\n", *retry)
	return nil
}
