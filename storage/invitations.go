package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Invitation is a single-use deep-link token for a returnee or a staff member.
type Invitation struct {
	ID         int64
	Token      string
	ReturneeID *int64
	StaffID    *int64
	ExpiresAt  time.Time
	UsedAt     *time.Time
	UsedBy     *int64 // Telegram user id that redeemed it
	CreatedAt  time.Time
	// CompletedAt is when it did its job (consent, a move, a staff link);
	// a complete invitation never works again.
	CompletedAt *time.Time
}

// InvitationTarget names who an invitation is for: exactly one of the two.
type InvitationTarget struct {
	ReturneeID int64
	StaffID    int64
}

// Why a token cannot be redeemed; each wraps a domain error kind.
var (
	ErrInvitationUnknown = fmt.Errorf("unknown invitation: %w", ErrNotFound)
	ErrInvitationUsed    = fmt.Errorf("invitation already used: %w", ErrConflict)
	ErrInvitationExpired = fmt.Errorf("invitation expired: %w", ErrInvalid)
)

// TokenPattern is what Telegram accepts as a /start parameter, and so what a
// token looks like; anything else is unknown without a database round trip.
var TokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// tokenBytes of crypto/rand make a 43-character base64url token (256 bits).
const tokenBytes = 32

// NewInvitationToken returns a random token of 256 bits in base64url without
// padding: 43 characters of A-Z a-z 0-9 _ -.
func NewInvitationToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new invitation token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

const invitationColumns = `id, token, returnee_id, staff_id, expires_at, used_at, used_by, created_at, completed_at`

func scanInvitation(row rowScanner) (Invitation, error) {
	var i Invitation
	err := row.Scan(&i.ID, &i.Token, &i.ReturneeID, &i.StaffID, &i.ExpiresAt, &i.UsedAt, &i.UsedBy, &i.CreatedAt, &i.CompletedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return i, ErrNotFound
	}
	return i, err
}

// sqlCreateInvitation revokes the person's earlier unused invitations (they
// expire now) and inserts the new one, in one statement. Only the latest link
// or QR code works, so a lost printout is harmless once a new one is made.
const sqlCreateInvitation = `
WITH revoked AS (
    UPDATE invitations SET expires_at = $5
    WHERE used_at IS NULL AND expires_at > $5
      AND (returnee_id = $2 OR staff_id = $3)
)
INSERT INTO invitations (token, returnee_id, staff_id, expires_at, created_at)
VALUES ($1, $2, $3, $4, $5)
RETURNING ` + invitationColumns

// CreateInvitation makes a new invitation valid for ttl from now and revokes
// the target's earlier unused ones. A returnee deleted at their request
// cannot be invited (ErrConflict); one who declined consent can, since they
// may change their mind. A missing target is ErrNotFound.
func CreateInvitation(ctx context.Context, q Querier, target InvitationTarget, ttl time.Duration, now time.Time) (Invitation, error) {
	if (target.ReturneeID == 0) == (target.StaffID == 0) {
		return Invitation{}, fmt.Errorf("create invitation: exactly one of returnee and staff: %w", ErrInvalid)
	}
	if ttl <= 0 {
		return Invitation{}, fmt.Errorf("create invitation: lifetime %s: %w", ttl, ErrInvalid)
	}
	var returneeID, staffID *int64
	if target.ReturneeID != 0 {
		r, err := ReturneeByID(ctx, q, target.ReturneeID)
		if err != nil {
			return Invitation{}, fmt.Errorf("create invitation: %w", err)
		}
		if r.Status == StatusDeleted {
			return Invitation{}, fmt.Errorf("create invitation: returnee %s was deleted at their request: %w", r.Ref, ErrConflict)
		}
		returneeID = &target.ReturneeID
	} else {
		if _, err := StaffByID(ctx, q, target.StaffID); err != nil {
			return Invitation{}, fmt.Errorf("create invitation: %w", err)
		}
		staffID = &target.StaffID
	}
	token, err := NewInvitationToken()
	if err != nil {
		return Invitation{}, err
	}
	inv, err := scanInvitation(q.QueryRowContext(ctx, sqlCreateInvitation, token, returneeID, staffID, now.Add(ttl), now))
	if err != nil {
		return inv, fmt.Errorf("create invitation: %w", constraintError(err))
	}
	return inv, nil
}

const sqlRedeemInvitation = `
UPDATE invitations SET used_at = $3, used_by = $2
WHERE token = $1 AND used_at IS NULL AND expires_at > $3
RETURNING ` + invitationColumns

// RedeemInvitation uses a token for a Telegram user, once: the check and the
// use are one UPDATE, so of two users racing for one token exactly one wins.
// It fails with ErrInvitationUnknown, ErrInvitationUsed or
// ErrInvitationExpired. The same user redeeming a token again gets the
// invitation back rather than an error, so a returnee who taps the link twice
// during onboarding, or who declined and changed their mind, is not turned
// away; once the invitation is complete it is ErrInvitationUsed for everyone.
func RedeemInvitation(ctx context.Context, q Querier, token string, telegramUserID int64, now time.Time) (Invitation, error) {
	if !TokenPattern.MatchString(token) {
		return Invitation{}, ErrInvitationUnknown
	}
	if telegramUserID <= 0 {
		return Invitation{}, fmt.Errorf("redeem invitation: telegram user id %d: %w", telegramUserID, ErrInvalid)
	}
	inv, err := scanInvitation(q.QueryRowContext(ctx, sqlRedeemInvitation, token, telegramUserID, now))
	if err == nil {
		return inv, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return inv, fmt.Errorf("redeem invitation: %w", err)
	}
	inv, err = scanInvitation(q.QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE token = $1`, token))
	switch {
	case errors.Is(err, ErrNotFound):
		return Invitation{}, ErrInvitationUnknown
	case err != nil:
		return Invitation{}, fmt.Errorf("redeem invitation: %w", err)
	case inv.UsedAt != nil && inv.UsedBy != nil && *inv.UsedBy == telegramUserID && inv.CompletedAt == nil:
		return inv, nil
	case inv.UsedAt != nil:
		return Invitation{}, ErrInvitationUsed
	default:
		return Invitation{}, ErrInvitationExpired
	}
}

// InvitationByToken loads an invitation without using it, so the bot can
// see whom a link is for before deciding to redeem it. A malformed token is
// ErrInvitationUnknown, like an unknown one.
func InvitationByToken(ctx context.Context, q Querier, token string) (Invitation, error) {
	if !TokenPattern.MatchString(token) {
		return Invitation{}, ErrInvitationUnknown
	}
	inv, err := scanInvitation(q.QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE token = $1`, token))
	if errors.Is(err, ErrNotFound) {
		return inv, ErrInvitationUnknown
	}
	if err != nil {
		return inv, fmt.Errorf("load invitation: %w", err)
	}
	return inv, nil
}

// sqlPendingInvitation finds the invitation a Telegram user redeemed and
// has not finished with: the returnee's consent is still to be given, or
// they declined and then opened a new link, or their old one again (the
// onboarding state on it shows it was restarted), or they consented long ago from another account and are asked
// whether to move their follow-up here. A complete invitation never counts.
const sqlPendingInvitation = `
SELECT i.id, i.token, i.returnee_id, i.staff_id, i.expires_at, i.used_at, i.used_by, i.created_at, i.completed_at
FROM invitations i
JOIN returnees r ON r.id = i.returnee_id
WHERE i.used_by = $1
  AND i.completed_at IS NULL
  AND r.status <> 'deleted'
  AND (r.consent = 'pending'
       OR (r.consent = 'declined' AND (i.onboarding IS NOT NULL OR r.consent_at IS NULL OR r.consent_at < i.used_at))
       OR (r.consent = 'accepted' AND r.telegram_id IS DISTINCT FROM $1))
ORDER BY i.used_at DESC, i.id DESC
LIMIT 1`

// PendingInvitationByTelegramID returns the latest invitation a Telegram
// user redeemed and has not finished with (see sqlPendingInvitation), so
// onboarding, or the question whether to move a follow-up to this account,
// resumes where it stopped.
func PendingInvitationByTelegramID(ctx context.Context, q Querier, telegramUserID int64) (Invitation, error) {
	inv, err := scanInvitation(q.QueryRowContext(ctx, sqlPendingInvitation, telegramUserID))
	if err != nil {
		return inv, fmt.Errorf("load pending invitation: %w", err)
	}
	return inv, nil
}

// CompleteInvitation marks one invitation as done: it never works again.
func CompleteInvitation(ctx context.Context, q Querier, id int64, now time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE invitations SET completed_at = $2, onboarding = NULL
		WHERE id = $1 AND completed_at IS NULL`, id, now); err != nil {
		return fmt.Errorf("complete invitation %d: %w", id, err)
	}
	return nil
}

// CompleteReturneeInvitations marks every opened invitation of a returnee
// as done once they are bound to an account, so a link opened earlier on
// another account (an onboarding left halfway, an old phone) cannot bind or
// move them later. Unopened links stay valid: a new link is a new choice.
func CompleteReturneeInvitations(ctx context.Context, q Querier, returneeID int64, now time.Time) error {
	if _, err := q.ExecContext(ctx, `UPDATE invitations SET completed_at = $2, onboarding = NULL
		WHERE returnee_id = $1 AND used_at IS NOT NULL AND completed_at IS NULL`, returneeID, now); err != nil {
		return fmt.Errorf("complete invitations of returnee %d: %w", returneeID, err)
	}
	return nil
}
