package scheduler

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"suivi/storage"
)

// erasureBatch is how many returnees are listed at a time; each is erased
// in its own transaction.
const erasureBatch = 200

// ErasureJob erases, daily on the leader, the personal data of returnees
// whose follow-up ended more than keep ago (storage.FollowUpsEndedBefore
// says when a follow-up ends), with the same erasure as /delete
// (storage.EraseReturnee), so what stays after it is what the consent text
// says: anonymous answers and counts, and the case reference. Each erasure
// is one transaction that checks the returnee again and writes the audit
// log; a run cut short is finished by the next one.
func ErasureJob(db *sql.DB, campaigns []Campaign, keep Retention) Job {
	lastMonth := 0
	for _, c := range campaigns {
		for _, m := range c.Months {
			lastMonth = max(lastMonth, m)
		}
	}
	return Job{
		Name:       "erasure",
		Spec:       "41 2 * * *",
		Timeout:    30 * time.Minute,
		LeaderOnly: true,
		Run: func(ctx context.Context, now time.Time) error {
			n, err := EraseEndedFollowUps(ctx, db, now, lastMonth, keep)
			Report(ctx, "returnees_erased", n, "retention", keep.String())
			return err
		},
	}
}

// EraseEndedFollowUps erases every returnee whose follow-up ended more than
// keep before now and reports how many it erased.
func EraseEndedFollowUps(ctx context.Context, db *sql.DB, now time.Time, lastMonth int, keep Retention) (int, error) {
	before := keep.Before(now)
	erased := 0
	for {
		batch, err := storage.FollowUpsEndedBefore(ctx, db, before, lastMonth, erasureBatch)
		if err != nil {
			return erased, err
		}
		for _, r := range batch {
			done := false
			err := storage.InTx(ctx, db, func(tx *sql.Tx) error {
				if _, err := storage.LockReturnee(ctx, tx, r.ID); err != nil {
					return err
				}
				if ok, err := storage.FollowUpEndedBefore(ctx, tx, r.ID, before, lastMonth); err != nil || !ok {
					return err
				}
				if err := storage.EraseReturnee(ctx, tx, r.ID); err != nil {
					return err
				}
				done = true
				return storage.WriteAuditAt(ctx, tx, now, "returnee", "erase", r.Ref,
					map[string]any{"by": "retention", "retention": keep.String()})
			})
			if err != nil {
				return erased, fmt.Errorf("erase returnee %d after retention: %w", r.ID, err)
			}
			if done {
				erased++
			}
		}
		if len(batch) < erasureBatch {
			return erased, nil
		}
	}
}
