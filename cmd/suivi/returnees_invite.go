package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"suivi/storage"
)

func runReturneesInvite(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("returnees invite", env)
	ref := fs.String("ref", "", "case reference of the returnee (required unless --pending)")
	inv := inviteFlags(fs)
	pending := fs.Bool("pending", false, "print invitation cards for every returnee not yet enrolled, into --pdf")
	caseworker := fs.String("caseworker", "", "with --pending: only this case worker's caseload")
	pdf := fs.String("pdf", "", "with --pending: the PDF file of cards to write, eight to an A4 page")
	describeCommand(fs, "--ref REF [--qr FILE.png] [--ttl 720h] | --pending [--caseworker HANDLE] --pdf FILE.pdf",
		"Prints a single-use deep link https://t.me/<bot>?start=<token> for a returnee, and writes it as a QR code with --qr.",
		"With --pending, prints a card (QR code, case reference, what the bot is in French and Arabic) for every returnee",
		"who has not consented on Telegram yet; run again, it reuses the invitations still valid for half their lifetime.",
		"A new invitation revokes the returnee's earlier unused ones: only the latest link works.",
		"A returnee who declined consent may be invited again; one deleted at their request may not.",
		"A returnee already following on Telegram may be invited again (a new phone): opening the link",
		"on another account asks them to confirm, then moves their follow-up there; the old account stops receiving.",
		"The bot is named by SUIVI_BOT_USERNAME (default suivi_bot).")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := inv.check(); err != nil {
		return err
	}
	if *pending {
		if *ref != "" || *inv.qr != "" {
			return usagef("returnees invite: --pending prints every pending returnee's card: leave out --ref and --qr")
		}
		if err := requireFlags(fs, "pdf"); err != nil {
			return err
		}
		return invitePending(ctx, env, *caseworker, *pdf, *inv.ttl)
	}
	if *caseworker != "" || *pdf != "" {
		return usagef("returnees invite: --caseworker and --pdf go with --pending")
	}
	if err := requireFlags(fs, "ref"); err != nil {
		return err
	}
	db, cfg, err := env.OpenDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	var r storage.Returnee
	err = inv.create(ctx, env, db, cfg, "returnees.invite", *ref, func(tx *sql.Tx) (storage.InvitationTarget, error) {
		r, err = storage.ReturneeByRef(ctx, tx, *ref)
		if errors.Is(err, storage.ErrNotFound) {
			return storage.InvitationTarget{}, fmt.Errorf("no returnee with ref %q; import or add them first", *ref)
		}
		return storage.InvitationTarget{ReturneeID: r.ID}, err
	})
	if err != nil {
		return fmt.Errorf("returnees invite: %w", err)
	}
	switch {
	case r.Consent == "declined":
		fmt.Fprintf(env.Stdout, "note: %s declined consent earlier; this link lets them change their mind\n", r.Ref)
	case r.TelegramID != nil:
		fmt.Fprintf(env.Stdout, "note: %s is already linked to a Telegram account; opened on another account, this link moves their follow-up there once they confirm\n", r.Ref)
	}
	return nil
}
