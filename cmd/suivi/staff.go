package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/skip2/go-qrcode"

	"suivi/app"
	"suivi/storage"
)

func runStaff(ctx context.Context, env *Env, args []string) error {
	return subcommand(ctx, env, "staff", args, map[string]func(context.Context, *Env, []string) error{
		"add":    runStaffAdd,
		"invite": runStaffInvite,
		"list":   runStaffList,
	})
}

func runStaffAdd(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("staff add", env)
	handle := fs.String("handle", "", "short unique handle, like cw.salma (required)")
	telegramID := fs.String("telegram-id", "", "numeric Telegram user id; leave it out when they will join with suivi staff invite")
	name := fs.String("name", "", "full name (required)")
	role := fs.String("role", "", "caseworker, supervisor, manager or admin (required)")
	supervisor := fs.String("supervisor", "", "handle of the supervisor alerts escalate to")
	language := fs.String("language", "", "fr, ar or en (default fr for a new member)")
	describeCommand(fs, "--handle HANDLE --name NAME --role ROLE [--telegram-id N] [--supervisor HANDLE] [--language fr|ar|en]",
		"Adds a staff member, or updates the one with that handle (flags left out keep their stored value).")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := requireFlags(fs, "handle", "name", "role"); err != nil {
		return err
	}
	in := storage.StaffInput{Handle: *handle, Name: strings.TrimSpace(*name), Role: *role, SupervisorHandle: *supervisor, Language: *language}
	if err := checkStaffFlags(in); err != nil {
		return err
	}
	if *telegramID != "" {
		id, err := strconv.ParseInt(*telegramID, 10, 64)
		if err != nil || id <= 0 {
			return usagef("staff add: --telegram-id %q: expected the numeric Telegram user id, like 123456789", *telegramID)
		}
		in.TelegramID = &id
	}
	db, _, err := env.OpenDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	var s storage.Staff
	err = storage.InTx(ctx, db, func(tx *sql.Tx) error {
		if s, err = storage.UpsertStaff(ctx, tx, in); err != nil {
			return err
		}
		return storage.WriteAudit(ctx, tx, cliActor(env), "staff.add", s.Handle, map[string]any{"role": s.Role})
	})
	if err != nil {
		return fmt.Errorf("staff add: %w", err)
	}
	fmt.Fprintf(env.Stdout, "saved staff %s (%s)\n", s.Handle, s.Role)
	if s.TelegramID == nil {
		fmt.Fprintf(env.Stdout, "link their Telegram account with: suivi staff invite --handle %s --role %s\n", s.Handle, s.Role)
	}
	return nil
}

// checkStaffFlags names the flag that is wrong before touching the database.
func checkStaffFlags(in storage.StaffInput) error {
	switch {
	case !storage.StaffHandlePattern.MatchString(in.Handle):
		return usagef("--handle %q: expected 1 to 64 lowercase letters, digits, '.', '_' or '-', like cw.salma", in.Handle)
	case !slices.Contains(storage.StaffRoles, in.Role):
		return usagef("--role %q: expected caseworker, supervisor, manager or admin", in.Role)
	case in.Language != "" && !slices.Contains(storage.StaffLanguages, in.Language):
		return usagef("--language %q: expected fr, ar or en", in.Language)
	case in.SupervisorHandle != "" && in.SupervisorHandle == in.Handle:
		return usagef("--supervisor %q: a staff member cannot supervise themselves", in.SupervisorHandle)
	}
	return nil
}

func runStaffInvite(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("staff invite", env)
	handle := fs.String("handle", "", "staff handle, like cw.salma (required)")
	role := fs.String("role", "", "caseworker, supervisor, manager or admin (required)")
	inv := inviteFlags(fs)
	describeCommand(fs, "--handle HANDLE --role ROLE [--qr FILE.png] [--ttl 720h]",
		"Prints a single-use deep link that links a staff member's Telegram account, creating the member",
		"with that role when the handle is new. A new invitation revokes their earlier unused ones.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := requireFlags(fs, "handle", "role"); err != nil {
		return err
	}
	if err := checkStaffFlags(storage.StaffInput{Handle: *handle, Role: *role}); err != nil {
		return err
	}
	if err := inv.check(); err != nil {
		return err
	}
	db, cfg, err := env.OpenDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	created := false
	err = inv.create(ctx, env, db, cfg, "staff.invite", *handle, func(tx *sql.Tx) (storage.InvitationTarget, error) {
		s, err := storage.StaffByHandle(ctx, tx, *handle)
		if errors.Is(err, storage.ErrNotFound) {
			created = true
			s, err = storage.UpsertStaff(ctx, tx, storage.StaffInput{Handle: *handle, Role: *role})
		}
		if err != nil {
			return storage.InvitationTarget{}, err
		}
		if s.Role != *role {
			return storage.InvitationTarget{}, usagef("--role %s: %s is a %s; change the role first with suivi staff add --handle %s --name NAME --role %s",
				*role, s.Handle, s.Role, s.Handle, *role)
		}
		return storage.InvitationTarget{StaffID: s.ID}, nil
	})
	if err != nil {
		return fmt.Errorf("staff invite: %w", err)
	}
	if created {
		fmt.Fprintf(env.Stdout, "created staff %s (%s); add their name with suivi staff add\n", *handle, *role)
	}
	return nil
}

func runStaffList(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet("staff list", env)
	describeCommand(fs, "", "Lists staff members by handle.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, _, err := env.OpenDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	staff, err := storage.ListStaff(ctx, db)
	if err != nil {
		return err
	}
	if err := storage.WriteAudit(ctx, db, cliActor(env), "staff.list", "all", map[string]any{"count": len(staff)}); err != nil {
		return err
	}
	handles := make(map[int64]string, len(staff))
	for _, s := range staff {
		handles[s.ID] = s.Handle
	}
	t := newTable(env.Stdout)
	fmt.Fprintln(t, "HANDLE\tNAME\tROLE\tSUPERVISOR\tLANGUAGE\tTELEGRAM")
	for _, s := range staff {
		sup := ""
		if s.SupervisorID != nil {
			sup = handles[*s.SupervisorID]
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Handle, orDash(tableCell(s.Name)), s.Role, orDash(sup), s.Language, yesNo(s.TelegramID != nil))
	}
	return t.Flush()
}

// inviteOptions are the flags every invite command shares.
type inviteOptions struct {
	qr  *string
	ttl *time.Duration
}

func inviteFlags(fs *flag.FlagSet) *inviteOptions {
	return &inviteOptions{
		qr:  fs.String("qr", "", "also write the link as a QR code to this PNG file"),
		ttl: fs.Duration("ttl", 0, "how long the link stays valid (default SUIVI_INVITE_TTL, 720h)"),
	}
}

func (o *inviteOptions) check() error {
	if *o.ttl != 0 && *o.ttl < time.Minute {
		return usagef("--ttl %s: expected at least 1m, like 720h (30 days)", *o.ttl)
	}
	return nil
}

// create makes the invitation for the target that target() finds, writes
// its QR code and audit row in the same transaction, and prints the link.
func (o *inviteOptions) create(ctx context.Context, env *Env, db *sql.DB, cfg app.Config, action, subject string,
	target func(tx *sql.Tx) (storage.InvitationTarget, error)) error {
	linkTo, err := inviteLinker(ctx, env, cfg)
	if err != nil {
		return err
	}
	ttl := *o.ttl
	if ttl == 0 {
		ttl = cfg.InviteTTL
	}
	var inv storage.Invitation
	var link string
	err = storage.InTx(ctx, db, func(tx *sql.Tx) error {
		t, err := target(tx)
		if err != nil {
			return err
		}
		if inv, err = storage.CreateInvitation(ctx, tx, t, ttl, env.Now()); err != nil {
			return err
		}
		link = linkTo(inv.Token)
		if *o.qr != "" {
			png, err := qrcode.Encode(link, qrcode.Medium, 512)
			if err != nil {
				return fmt.Errorf("QR code: %w", err)
			}
			if err := os.WriteFile(*o.qr, png, 0o600); err != nil { // the link is a key: keep it private
				return fmt.Errorf("QR code: %w", err)
			}
		}
		return storage.WriteAudit(ctx, tx, cliActor(env), action, subject, map[string]any{
			"invitation_id": inv.ID, "expires_at": inv.ExpiresAt, "qr": *o.qr != ""})
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, link)
	fmt.Fprintf(env.Stdout, "single use, valid until %s\n", inv.ExpiresAt.In(cfg.Timezone).Format("2006-01-02 15:04 MST"))
	if *o.qr != "" {
		fmt.Fprintf(env.Stdout, "QR code written to %s\n", *o.qr)
	}
	return nil
}
