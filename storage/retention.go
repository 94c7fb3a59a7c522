package storage

import (
	"context"
	"fmt"
	"time"
)

// sqlFollowUpEnded selects the returnees whose follow-up ended before $1
// and who are not erased yet. A follow-up ends:
//
//   - when its schedule does: the return date plus the last month of the
//     flows scheduled on return ($2, 12 by default);
//   - earlier, when the returnee stopped the follow-up (/stop) or declined
//     consent: the last change of their record, which that was;
//   - later, when a conversation ran after that (a check-in answered late,
//     a question of their own): the end of the last one;
//   - for a returnee who never answered the invitation (consent pending),
//     never before the record was created: old registry data imported
//     today is kept the full period from today.
//
// $3, when not null, limits the check to one returnee; $4 bounds the list.
const sqlFollowUpEnded = `
SELECT r.id, r.ref
FROM returnees r
WHERE r.status <> 'deleted'
  AND ($3::bigint IS NULL OR r.id = $3)
  AND GREATEST(
        CASE WHEN r.status = 'stopped' OR r.consent = 'declined'
             THEN LEAST(r.updated_at, (r.return_date + make_interval(months => $2)) AT TIME ZONE 'UTC')
             ELSE (r.return_date + make_interval(months => $2)) AT TIME ZONE 'UTC' END,
        (SELECT max(COALESCE(c.finished_at, c.updated_at)) FROM conversations c WHERE c.returnee_id = r.id),
        CASE WHEN r.consent = 'pending' THEN r.created_at END
      ) < $1
ORDER BY r.id
LIMIT $4`

// EndedFollowUp is a returnee whose follow-up ended long enough ago for
// their personal data to be erased.
type EndedFollowUp struct {
	ID  int64
	Ref string
}

// FollowUpsEndedBefore lists up to limit returnees, not erased yet, whose
// follow-up (see sqlFollowUpEnded) ended before the given instant;
// lastMonth is the last month after return any flow is scheduled in.
func FollowUpsEndedBefore(ctx context.Context, q Querier, before time.Time, lastMonth, limit int) ([]EndedFollowUp, error) {
	return followUpsEnded(ctx, q, before, lastMonth, nil, limit)
}

// FollowUpEndedBefore checks, in the caller's transaction, that the
// returnee's follow-up still ended before the instant (they may have been
// erased, or answered, since they were listed).
func FollowUpEndedBefore(ctx context.Context, q Querier, id int64, before time.Time, lastMonth int) (bool, error) {
	got, err := followUpsEnded(ctx, q, before, lastMonth, &id, 1)
	return len(got) == 1, err
}

func followUpsEnded(ctx context.Context, q Querier, before time.Time, lastMonth int, id *int64, limit int) ([]EndedFollowUp, error) {
	rows, err := q.QueryContext(ctx, sqlFollowUpEnded, before, lastMonth, id, limit)
	if err != nil {
		return nil, fmt.Errorf("list ended follow-ups: %w", err)
	}
	defer rows.Close()
	var out []EndedFollowUp
	for rows.Next() {
		var e EndedFollowUp
		if err := rows.Scan(&e.ID, &e.Ref); err != nil {
			return nil, fmt.Errorf("list ended follow-ups: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list ended follow-ups: %w", err)
	}
	return out, nil
}
