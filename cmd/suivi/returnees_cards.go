package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"suivi/cards"
	"suivi/storage"
)

// sqlPendingInvitees lists, locked, the returnees not yet enrolled (no
// consent given, no Telegram account, not deleted), of one case worker when
// $1 is set, each with their latest unused invitation still valid at $2.
const sqlPendingInvitees = `
SELECT r.id, r.ref, i.id, i.token, i.expires_at
FROM returnees r
LEFT JOIN staff cw ON cw.id = r.caseworker_id
LEFT JOIN LATERAL (
    SELECT id, token, expires_at FROM invitations
    WHERE returnee_id = r.id AND used_at IS NULL AND expires_at >= $2
    ORDER BY expires_at DESC, id DESC LIMIT 1) i ON true
WHERE r.consent = 'pending' AND r.telegram_id IS NULL AND r.status <> 'deleted'
  AND ($1 = '' OR cw.handle = $1)
ORDER BY r.ref
FOR UPDATE OF r`

type invitee struct {
	id      int64
	ref     string
	invID   sql.NullInt64
	token   sql.NullString
	expires sql.NullTime
}

// invitePending prints a card for every returnee not yet enrolled. Running
// it again prints the same cards: an unused invitation still valid for at
// least half its lifetime is reused, so cards already handed out keep
// working; an older one is replaced (and revoked) by a new one. Invitations
// and the audit row are one transaction; the PDF is written once it commits.
func invitePending(ctx context.Context, env *Env, caseworker, path string, ttl time.Duration) error {
	db, cfg, err := env.OpenDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if caseworker != "" {
		if _, err := storage.StaffByHandle(ctx, db, caseworker); errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("returnees invite: no staff with handle %q (see suivi staff list)", caseworker)
		} else if err != nil {
			return err
		}
	}
	linkTo, err := inviteLinker(ctx, env, cfg)
	if err != nil {
		return err
	}
	if ttl == 0 {
		ttl = cfg.InviteTTL
	}
	now := env.Now()
	var list []cards.Card
	var created, reused int
	var pdf bytes.Buffer
	err = storage.InTx(ctx, db, func(tx *sql.Tx) error {
		list, created, reused = nil, 0, 0
		invitees, err := pendingInvitees(ctx, tx, caseworker, now.Add(ttl/2))
		if err != nil || len(invitees) == 0 {
			return err
		}
		for _, p := range invitees {
			c := cards.Card{Ref: p.ref}
			if p.token.Valid {
				c.Link, c.ExpiresAt = linkTo(p.token.String), p.expires.Time
				reused++
			} else {
				inv, err := storage.CreateInvitation(ctx, tx, storage.InvitationTarget{ReturneeID: p.id}, ttl, now)
				if err != nil {
					return fmt.Errorf("invite %s: %w", p.ref, err)
				}
				c.Link, c.ExpiresAt = linkTo(inv.Token), inv.ExpiresAt
				created++
			}
			list = append(list, c)
		}
		subject := caseworker
		if subject == "" {
			subject = "all"
		}
		if err := storage.WriteAuditAt(ctx, tx, now, cliActor(env), "returnees.invite_cards", subject, map[string]any{
			"cards": len(list), "created": created, "reused": reused, "pdf": filepath.Base(path)}); err != nil {
			return err
		}
		pdf.Reset()
		return cards.Write(&pdf, list, cfg.Timezone)
	})
	if err != nil {
		return fmt.Errorf("returnees invite: %w", err)
	}
	if len(list) == 0 {
		fmt.Fprintln(env.Stdout, "every returnee is enrolled or invited on Telegram already: no card to print")
		return nil
	}
	// The link is a key: the file is readable by its owner only.
	if _, err := writeExportFile(path, func(f *os.File) (int, error) { return pdf.Len(), writeAll(f, pdf.Bytes()) }); err != nil {
		return fmt.Errorf("returnees invite: the invitations are made; run the command again to write %s: %w", path, err)
	}
	pages := (len(list) + cards.PerPage - 1) / cards.PerPage
	fmt.Fprintf(env.Stdout, "%s on %s written to %s (%d new invitations, %d reused)\n",
		countNoun(len(list), "card"), countNoun(pages, "page"), path, created, reused)
	return nil
}

func pendingInvitees(ctx context.Context, tx *sql.Tx, caseworker string, validUntil time.Time) ([]invitee, error) {
	rows, err := tx.QueryContext(ctx, sqlPendingInvitees, caseworker, validUntil)
	if err != nil {
		return nil, fmt.Errorf("load returnees to invite: %w", err)
	}
	defer rows.Close()
	var out []invitee
	for rows.Next() {
		var p invitee
		if err := rows.Scan(&p.id, &p.ref, &p.invID, &p.token, &p.expires); err != nil {
			return nil, fmt.Errorf("load returnees to invite: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func writeAll(f *os.File, b []byte) error {
	_, err := f.Write(b)
	return err
}
