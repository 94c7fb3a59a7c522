package storage

import (
	"context"
	"fmt"
)

// sqlEraseReturnee erases what Suivi stored about a returnee who asked for
// it (/delete): free text, media and dates are deleted; other answers and
// scores stay only as anonymous rows (no person, no conversation) for the
// aggregates; conversations, invitations and check-ins go; queued and past
// messages to the chat go; the returnee row keeps the case reference alone
// as a tombstone, so a later import does not bring the data back.
var sqlEraseReturnee = []string{
	`DELETE FROM answers WHERE returnee_id = $1 AND value->>'kind' IN ('text', 'media', 'date')`,
	`UPDATE answers SET returnee_id = NULL, conversation_id = NULL WHERE returnee_id = $1`,
	`UPDATE scores SET returnee_id = NULL, conversation_id = NULL WHERE returnee_id = $1`,
	`DELETE FROM outbox WHERE chat_id = (SELECT chat_id FROM returnees WHERE id = $1)`,
	`UPDATE alerts SET message = '', question_ids = '{}' WHERE returnee_id = $1`,
	`DELETE FROM invitations WHERE returnee_id = $1`,
	`DELETE FROM checkins WHERE returnee_id = $1`,
	`DELETE FROM conversations WHERE returnee_id = $1`,
	`UPDATE returnees SET sex = NULL, birth_date = NULL, return_date = NULL, host_country = '', region = '',
	    programme = '', assistance = '{}', sector = '', vulnerabilities = '{}', telegram_id = NULL, chat_id = NULL,
	    consent = 'declined', timezone = '', status = 'deleted', paused_until = NULL, safety_hold = false,
	    updated_at = now()
	 WHERE id = $1`,
}

// EraseReturnee erases a returnee's personal data in the caller's transaction.
func EraseReturnee(ctx context.Context, q Querier, id int64) error {
	for _, stmt := range sqlEraseReturnee {
		if _, err := q.ExecContext(ctx, stmt, id); err != nil {
			return fmt.Errorf("erase returnee %d: %w", id, err)
		}
	}
	return nil
}
