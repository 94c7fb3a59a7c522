package storage

import (
	"context"
	"encoding/json"
	"fmt"
)

// OnboardingState returns the onboarding conversation kept on an invitation
// before consent (nil when none started).
func OnboardingState(ctx context.Context, q Querier, invitationID int64) (json.RawMessage, error) {
	var state []byte
	err := q.QueryRowContext(ctx, `SELECT onboarding FROM invitations WHERE id = $1 FOR UPDATE`, invitationID).Scan(&state)
	if err != nil {
		return nil, fmt.Errorf("load onboarding state: %w", err)
	}
	return state, nil
}

// SaveOnboardingState keeps the onboarding state on the invitation; nil
// clears it (once consent moved it to a conversation, or on refusal).
func SaveOnboardingState(ctx context.Context, q Querier, invitationID int64, state json.RawMessage) error {
	var v any
	if state != nil {
		v = []byte(state)
	}
	if _, err := q.ExecContext(ctx, `UPDATE invitations SET onboarding = $2 WHERE id = $1`, invitationID, v); err != nil {
		return fmt.Errorf("save onboarding state: %w", err)
	}
	return nil
}

// DeclinedByTelegramID reports whether this Telegram user opened an
// invitation and then refused consent: the bot then stays silent.
func DeclinedByTelegramID(ctx context.Context, q Querier, telegramUserID int64) (bool, error) {
	var declined bool
	err := q.QueryRowContext(ctx, `
		SELECT EXISTS (
		    SELECT 1 FROM invitations i JOIN returnees r ON r.id = i.returnee_id
		    WHERE i.used_by = $1 AND r.consent = 'declined')`, telegramUserID).Scan(&declined)
	if err != nil {
		return false, fmt.Errorf("check declined consent: %w", err)
	}
	return declined, nil
}
