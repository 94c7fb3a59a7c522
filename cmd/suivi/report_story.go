package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"suivi/report"
	"suivi/storage"
)

// runReportStory stores a success story for the factsheet, only with the
// person's consent.
func runReportStory(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("report story", env)
	ref := fs.String("ref", "", "case reference of the person the story is about (required)")
	title := fs.String("title", "", "title, such as \"L'histoire de Naji F.\" (required)")
	text := fs.String("text", "", "the story as it will be published (required)")
	toldOn := fs.String("told-on", "", "date of the story, YYYY-MM-DD: the factsheet of the period holding it shows it (required)")
	consented := fs.Bool("consented", false, "the person agreed to have this story published (required)")
	describeCommand(fs, "--ref REF --title TITLE --text TEXT --told-on DATE --consented",
		"Stores a success story for the factsheet. It is erased with the person if they ask.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := requireFlags(fs, "ref", "title", "text", "told-on"); err != nil {
		return err
	}
	if !*consented {
		return usagef("report story: a story is published only with the person's consent: add --consented once they agreed")
	}
	day, err := report.ParseDay("told-on", *toldOn)
	if err != nil {
		return usagef("report story: %v", err)
	}
	db, _, err := env.OpenDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	var id int64
	err = storage.InTx(ctx, db, func(tx *sql.Tx) error {
		r, err := storage.ReturneeByRef(ctx, tx, *ref)
		if errors.Is(err, storage.ErrNotFound) || (err == nil && r.Status == "deleted") {
			return fmt.Errorf("report story: no returnee %s on file", *ref)
		}
		if err != nil {
			return err
		}
		if id, err = storage.AddSuccessStory(ctx, tx, r.ID, strings.TrimSpace(*title), strings.TrimSpace(*text), day); err != nil {
			return err
		}
		return storage.WriteAuditAt(ctx, tx, env.Now(), cliActor(env), "report.story", r.Ref, map[string]any{"story": id})
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "success story %d stored for %s\n", id, *ref)
	return nil
}
