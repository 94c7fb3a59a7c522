package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// Returnee is one person followed after return, known by a case reference.
type Returnee struct {
	ID              int64
	Ref             string
	Sex             string
	BirthDate       time.Time
	ReturnDate      time.Time
	HostCountry     string
	Region          string
	Programme       string
	Assistance      []string
	Sector          string
	Vulnerabilities []string
	CaseworkerID    *int64
	TelegramID      *int64
	ChatID          *int64
	Language        string
	Consent         string // pending, accepted, declined
	ConsentAt       *time.Time
	Timezone        string // IANA name; empty means the configured default
	WindowStart     string // HH:MM local time
	WindowEnd       string // HH:MM local time
	Status          string // active, paused, stopped, unreachable, deleted
	PausedUntil     *time.Time
	SafetyHold      bool
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Returnee statuses.
const (
	StatusActive      = "active"
	StatusPaused      = "paused"
	StatusStopped     = "stopped"
	StatusUnreachable = "unreachable"
	StatusDeleted     = "deleted"
)

const returneeColumns = `id, ref, COALESCE(sex, ''), COALESCE(birth_date, '0001-01-01'), COALESCE(return_date, '0001-01-01'), host_country, region, programme,
	assistance, sector, vulnerabilities, caseworker_id, telegram_id, chat_id, language,
	consent, consent_at, timezone, to_char(window_start, 'HH24:MI'), to_char(window_end, 'HH24:MI'),
	status, paused_until, safety_hold, created_at, updated_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanReturnee(row rowScanner) (Returnee, error) {
	var r Returnee
	err := row.Scan(&r.ID, &r.Ref, &r.Sex, &r.BirthDate, &r.ReturnDate, &r.HostCountry, &r.Region, &r.Programme,
		pq.Array(&r.Assistance), &r.Sector, pq.Array(&r.Vulnerabilities), &r.CaseworkerID, &r.TelegramID, &r.ChatID, &r.Language,
		&r.Consent, &r.ConsentAt, &r.Timezone, &r.WindowStart, &r.WindowEnd,
		&r.Status, &r.PausedUntil, &r.SafetyHold, &r.CreatedAt, &r.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

// ReturneeByID loads a returnee by id.
func ReturneeByID(ctx context.Context, q Querier, id int64) (Returnee, error) {
	r, err := scanReturnee(q.QueryRowContext(ctx, `SELECT `+returneeColumns+` FROM returnees WHERE id = $1`, id))
	if err != nil {
		return r, fmt.Errorf("load returnee %d: %w", id, err)
	}
	return r, nil
}

// ReturneeByRef loads a returnee by case reference.
func ReturneeByRef(ctx context.Context, q Querier, ref string) (Returnee, error) {
	r, err := scanReturnee(q.QueryRowContext(ctx, `SELECT `+returneeColumns+` FROM returnees WHERE ref = $1`, ref))
	if err != nil {
		return r, fmt.Errorf("load returnee %q: %w", ref, err)
	}
	return r, nil
}

// LockReturnee loads a returnee and locks its row until the transaction ends,
// so two updates of one person are handled one after the other.
func LockReturnee(ctx context.Context, tx *sql.Tx, id int64) (Returnee, error) {
	r, err := scanReturnee(tx.QueryRowContext(ctx, `SELECT `+returneeColumns+` FROM returnees WHERE id = $1 FOR UPDATE`, id))
	if err != nil {
		return r, fmt.Errorf("lock returnee %d: %w", id, err)
	}
	return r, nil
}

// LockReturneeByTelegramID loads the returnee bound to a Telegram user and
// locks its row until the transaction ends, in one query.
func LockReturneeByTelegramID(ctx context.Context, tx *sql.Tx, telegramID int64) (Returnee, error) {
	r, err := scanReturnee(tx.QueryRowContext(ctx, `SELECT `+returneeColumns+` FROM returnees WHERE telegram_id = $1 FOR UPDATE`, telegramID))
	if err != nil {
		return r, fmt.Errorf("lock returnee by telegram id: %w", err)
	}
	return r, nil
}

// MarkReturneeUnreachable records that Telegram refused delivery (blocked or
// deactivated) for the returnee bound to chatID. It reports the returnee id,
// or 0 when no returnee has that chat.
func MarkReturneeUnreachable(ctx context.Context, q Querier, chatID int64) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `
		UPDATE returnees SET status = 'unreachable', updated_at = now()
		WHERE chat_id = $1 AND status IN ('active', 'paused')
		RETURNING id`, chatID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("mark returnee unreachable: %w", err)
	}
	return id, nil
}
