package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Staff is a case worker, supervisor, manager or administrator.
type Staff struct {
	ID           int64
	Handle       string
	TelegramID   *int64
	Name         string
	Role         string
	SupervisorID *int64
	Language     string
	CreatedAt    time.Time
}

// Staff roles.
const (
	RoleCaseworker = "caseworker"
	RoleSupervisor = "supervisor"
	RoleManager    = "manager"
	RoleAdmin      = "admin"
)

const staffColumns = `id, handle, telegram_id, name, role, supervisor_id, language, created_at`

func scanStaff(row rowScanner) (Staff, error) {
	var s Staff
	err := row.Scan(&s.ID, &s.Handle, &s.TelegramID, &s.Name, &s.Role, &s.SupervisorID, &s.Language, &s.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	return s, err
}

// StaffByTelegramID loads the staff member bound to a Telegram user, if any.
func StaffByTelegramID(ctx context.Context, q Querier, telegramID int64) (Staff, error) {
	s, err := scanStaff(q.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE telegram_id = $1`, telegramID))
	if err != nil {
		return s, fmt.Errorf("load staff by telegram id: %w", err)
	}
	return s, nil
}

// StaffByHandle loads a staff member by handle.
func StaffByHandle(ctx context.Context, q Querier, handle string) (Staff, error) {
	s, err := scanStaff(q.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE handle = $1`, handle))
	if err != nil {
		return s, fmt.Errorf("load staff %q: %w", handle, err)
	}
	return s, nil
}

// StaffByID loads a staff member by id.
func StaffByID(ctx context.Context, q Querier, id int64) (Staff, error) {
	s, err := scanStaff(q.QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = $1`, id))
	if err != nil {
		return s, fmt.Errorf("load staff %d: %w", id, err)
	}
	return s, nil
}
