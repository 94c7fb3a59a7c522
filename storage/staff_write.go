package storage

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
)

// StaffInput is a staff member as an administrator enters it. On update,
// empty Name, Language and SupervisorHandle and a nil TelegramID keep what is
// stored, so inviting an existing member does not wipe their details.
type StaffInput struct {
	Handle           string
	TelegramID       *int64
	Name             string
	Role             string
	SupervisorHandle string
	Language         string // fr, ar or en; empty means fr for a new member
}

// StaffHandlePattern is what a staff handle looks like: lowercase, so that
// "cw.Salma" and "cw.salma" can never be two people.
var StaffHandlePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// StaffLanguages are the languages staff messages are written in.
var StaffLanguages = []string{"fr", "ar", "en"}

// StaffRoles are the roles a staff member can have, least powerful first.
var StaffRoles = []string{RoleCaseworker, RoleSupervisor, RoleManager, RoleAdmin}

const sqlUpsertStaff = `
INSERT INTO staff (handle, telegram_id, name, role, supervisor_id, language)
VALUES ($1, $2, $3, $4, $5, COALESCE(NULLIF($6, ''), 'fr'))
ON CONFLICT (handle) DO UPDATE SET
    telegram_id = COALESCE($2, staff.telegram_id),
    name = COALESCE(NULLIF($3, ''), staff.name),
    role = $4,
    supervisor_id = COALESCE($5, staff.supervisor_id),
    language = COALESCE(NULLIF($6, ''), staff.language),
    updated_at = now()
RETURNING ` + staffColumns

// sqlSupervisorCycle reports whether handle $2 already sits above staff $1
// in the supervision chain, which would make escalation go round in circles.
const sqlSupervisorCycle = `
WITH RECURSIVE chain (id, supervisor_id, depth) AS (
    SELECT id, supervisor_id, 0 FROM staff WHERE id = $1
    UNION ALL
    SELECT s.id, s.supervisor_id, c.depth + 1
    FROM staff s JOIN chain c ON s.id = c.supervisor_id
    WHERE c.depth < 100
)
SELECT EXISTS (SELECT 1 FROM chain JOIN staff s ON s.id = chain.id WHERE s.handle = $2)`

// UpsertStaff creates a staff member by handle or updates the one that
// exists. Bad values are ErrInvalid; a Telegram id already linked to another
// member is ErrConflict.
func UpsertStaff(ctx context.Context, q Querier, in StaffInput) (Staff, error) {
	if err := checkStaffInput(in); err != nil {
		return Staff{}, fmt.Errorf("save staff %q: %w", in.Handle, err)
	}
	var supervisorID *int64
	if in.SupervisorHandle != "" {
		sup, err := StaffByHandle(ctx, q, in.SupervisorHandle)
		if errors.Is(err, ErrNotFound) {
			return Staff{}, fmt.Errorf("save staff %q: supervisor %q: no staff with that handle: %w", in.Handle, in.SupervisorHandle, ErrInvalid)
		}
		if err != nil {
			return Staff{}, fmt.Errorf("save staff %q: %w", in.Handle, err)
		}
		var cycle bool
		if err := q.QueryRowContext(ctx, sqlSupervisorCycle, sup.ID, in.Handle).Scan(&cycle); err != nil {
			return Staff{}, fmt.Errorf("save staff %q: %w", in.Handle, err)
		}
		if cycle {
			return Staff{}, fmt.Errorf("save staff %q: supervisor %q is supervised by %q: %w", in.Handle, in.SupervisorHandle, in.Handle, ErrInvalid)
		}
		supervisorID = &sup.ID
	}
	s, err := scanStaff(q.QueryRowContext(ctx, sqlUpsertStaff,
		in.Handle, in.TelegramID, in.Name, in.Role, supervisorID, in.Language))
	if err != nil {
		return s, fmt.Errorf("save staff %q: %w", in.Handle, staffConstraintError(err))
	}
	return s, nil
}

func checkStaffInput(in StaffInput) error {
	if !StaffHandlePattern.MatchString(in.Handle) {
		return fmt.Errorf("handle %q: expected 1 to 64 lowercase letters, digits, '.', '_' or '-', like cw.salma: %w", in.Handle, ErrInvalid)
	}
	if !slices.Contains(StaffRoles, in.Role) {
		return fmt.Errorf("role %q: expected caseworker, supervisor, manager or admin: %w", in.Role, ErrInvalid)
	}
	if in.Language != "" && !slices.Contains(StaffLanguages, in.Language) {
		return fmt.Errorf("language %q: expected fr, ar or en: %w", in.Language, ErrInvalid)
	}
	if in.TelegramID != nil && *in.TelegramID <= 0 {
		return fmt.Errorf("telegram id %d: expected a positive Telegram user id: %w", *in.TelegramID, ErrInvalid)
	}
	if in.SupervisorHandle == in.Handle {
		return fmt.Errorf("a staff member cannot supervise themselves: %w", ErrInvalid)
	}
	if len(in.Name) > 200 {
		return fmt.Errorf("name: at most 200 characters: %w", ErrInvalid)
	}
	return nil
}

// staffConstraintError names the usual conflict: a Telegram account linked twice.
func staffConstraintError(err error) error {
	err = constraintError(err)
	if errors.Is(err, ErrConflict) {
		return fmt.Errorf("this Telegram id is already linked to another staff member: %w", ErrConflict)
	}
	return err
}

// BindStaffTelegramID links a staff member to the Telegram account that
// redeemed their invitation, replacing an earlier link (a new phone). A
// Telegram account already linked to another member is ErrConflict.
func BindStaffTelegramID(ctx context.Context, q Querier, staffID, telegramID int64) (Staff, error) {
	s, err := scanStaff(q.QueryRowContext(ctx, `
		UPDATE staff SET telegram_id = $2, updated_at = now()
		WHERE id = $1
		RETURNING `+staffColumns, staffID, telegramID))
	if err != nil {
		return s, fmt.Errorf("link staff %d to telegram: %w", staffID, staffConstraintError(err))
	}
	return s, nil
}

// ListStaff returns every staff member by handle.
func ListStaff(ctx context.Context, q Querier) ([]Staff, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+staffColumns+` FROM staff ORDER BY handle`)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	defer rows.Close()
	var out []Staff
	for rows.Next() {
		s, err := scanStaff(rows)
		if err != nil {
			return nil, fmt.Errorf("list staff: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	return out, nil
}
