package storage

import (
	"context"
	"fmt"
)

// eraseAccounts are the Telegram accounts and private chats (the same ids)
// a returnee used: the bound one and every one that opened their links.
const eraseAccounts = `(SELECT chat_id FROM returnees WHERE id = $1
     UNION SELECT telegram_id FROM returnees WHERE id = $1
     UNION SELECT used_by FROM invitations WHERE returnee_id = $1)`

// sqlEraseReturnee erases what Suivi stored about a returnee who asked for
// it (/delete). What stays is chosen so nothing left can be tied back to the
// person:
//
//   - answers and scores stay only as anonymous rows for the aggregates: no
//     person, no conversation, and their time rounded to the day (UTC), so
//     an answer cannot be matched to the second with the person's other
//     events; free text, media and dates are deleted outright;
//   - alerts stay only as anonymous counts: category, rule, severity and the
//     day they were raised, and the text key with the parameters that name
//     no one (a flow rule); no person, conversation, message, answers,
//     questions or staff who handled them, and their events keep only their
//     kind and day. An open alert is resolved, since nobody can
//     act on it any more;
//   - conversations, check-ins (and so their planned dates), the planner's
//     record of the person, staff's case notes, their success story and
//     invitations go; a
//     relayed message's text and file id go with the alert's parameters;
//   - every message queued or sent to the person's chats goes, the current
//     one and those of accounts they used before (an old phone); the
//     person's Telegram ids are cleared from invitations of others they
//     may have opened; updates from those chats that failed (dead letters,
//     which hold the raw message) go too;
//   - a de-identified statistical record (sex, age at return, return month,
//     host country, region, programme, assistance, sector, vulnerabilities;
//     no reference, id or case worker) is written before the row is blanked, so the factsheet
//     of a past period gives the same figures after the erasure (written
//     once: a tombstone has nothing left to record); their check-in
//     occasions stay as anonymous tallies (day due, flow, sent, outcome)
//     for the response rate;
//   - the returnee row keeps the case reference and the case worker alone,
//     as a tombstone, so a later import does not bring the data back;
//   - the audit log keeps its entries: they record staff actions by case
//     reference, which the tombstone keeps anyway, and hold no answers.
//
// $1 is the returnee id. The chats are found before the rows naming them go.
var sqlEraseReturnee = []string{
	`DELETE FROM outbox WHERE chat_id IN ` + eraseAccounts,
	`DELETE FROM update_failures WHERE chat_id IN ` + eraseAccounts,
	`UPDATE invitations SET used_by = NULL
	 WHERE used_by IN ` + eraseAccounts + ` AND returnee_id IS DISTINCT FROM $1`,
	`DELETE FROM answers WHERE returnee_id = $1 AND value->>'kind' IN ('text', 'media', 'date')`,
	`UPDATE answers SET returnee_id = NULL, conversation_id = NULL,
	     answered_at = date_trunc('day', answered_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
	 WHERE returnee_id = $1`,
	`UPDATE scores SET returnee_id = NULL, conversation_id = NULL,
	     computed_at = date_trunc('day', computed_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
	 WHERE returnee_id = $1`,
	`UPDATE alert_events SET data = '{}', staff_id = NULL,
	     at = date_trunc('day', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
	 WHERE alert_id IN (SELECT id FROM alerts WHERE returnee_id = $1)`,
	`UPDATE alerts SET returnee_id = NULL, conversation_id = NULL, message = '', question_ids = '{}',
	     params = params - 'answers' - 'text' - 'file_id', assigned_to = NULL,
	     status = 'resolved',
	     created_at = date_trunc('day', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
	     acknowledged_at = date_trunc('day', acknowledged_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
	     resolved_at = date_trunc('day', COALESCE(resolved_at, now()) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
	     acknowledged_by = NULL, resolved_by = NULL
	 WHERE returnee_id = $1`,
	`DELETE FROM case_notes WHERE returnee_id = $1`,
	`DELETE FROM success_stories WHERE returnee_id = $1`,
	`DELETE FROM invitations WHERE returnee_id = $1`,
	`INSERT INTO statistical_checkins (due_date, flow_id, status, opened)
	 SELECT due_date, flow_id, status, opened_at IS NOT NULL FROM checkins WHERE returnee_id = $1`,
	`DELETE FROM checkins WHERE returnee_id = $1`,
	`DELETE FROM checkin_plans WHERE returnee_id = $1`,
	`DELETE FROM conversations WHERE returnee_id = $1`,
	`INSERT INTO statistical_records (sex, age_at_return, return_month, host_country, region, programme,
	     assistance, sector, vulnerabilities)
	 SELECT sex, date_part('year', age(return_date::timestamp, birth_date::timestamp))::int, date_trunc('month', return_date)::date,
	     host_country, region, programme, assistance, sector, vulnerabilities
	 FROM returnees
	 WHERE id = $1 AND status <> 'deleted' AND sex IS NOT NULL AND birth_date IS NOT NULL AND return_date IS NOT NULL`,
	`UPDATE returnees SET sex = NULL, birth_date = NULL, return_date = NULL, host_country = '', region = '',
	    programme = '', assistance = '{}', sector = '', vulnerabilities = '{}', telegram_id = NULL, chat_id = NULL,
	    language = 'fr', consent = 'declined', consent_at = NULL, timezone = '',
	    window_start = '10:00', window_end = '19:00', status = 'deleted', paused_until = NULL, safety_hold = false,
	    updated_at = date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
	 WHERE id = $1`,
}

// EraseReturnee erases a returnee's personal data in the caller's
// transaction (see sqlEraseReturnee for what stays and why).
func EraseReturnee(ctx context.Context, q Querier, id int64) error {
	for _, stmt := range sqlEraseReturnee {
		if _, err := q.ExecContext(ctx, stmt, id); err != nil {
			return fmt.Errorf("erase returnee %d: %w", id, err)
		}
	}
	return nil
}
