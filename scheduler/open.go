package scheduler

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"suivi/storage"
)

// claimBatch is how many due check-ins are listed at a time; each is then
// claimed and opened in its own transaction.
const claimBatch = 50

// maxRetryAfter caps the back-off after failed openings.
const maxRetryAfter = 6 * time.Hour

// open opens the check-ins due by now. Safe on every replica at once: each
// check-in is claimed with FOR UPDATE SKIP LOCKED, after its returnee (the
// bot's lock order), and the claim, the Opener's conversation and outbox
// rows and the status change commit together.
func (s *Scheduler) open(ctx context.Context, now time.Time, st *tickStats) error {
	var after storage.CheckinRef
	for {
		refs, err := storage.DueCheckins(ctx, s.db, now, after, claimBatch)
		if err != nil {
			return err
		}
		for _, ref := range refs {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := s.openOne(ctx, ref, now, st); err != nil {
				st.Failed++
				s.log.Error("open checkin", "checkin_id", ref.ID, "error", err)
			}
		}
		if len(refs) < claimBatch {
			return nil
		}
		after = refs[len(refs)-1]
	}
}

func (s *Scheduler) openOne(ctx context.Context, ref storage.CheckinRef, now time.Time, st *tickStats) error {
	var (
		c       storage.Checkin
		openErr error
	)
	err := storage.InTx(ctx, s.db, func(tx *sql.Tx) error {
		r, ok, err := storage.ClaimCheckinReturnee(ctx, tx, ref.ReturneeID)
		if err != nil || !ok {
			return err
		}
		c, ok, err = storage.ClaimCheckin(ctx, tx, ref.ID, storage.CheckinPlanned)
		if err != nil || !ok || c.OpenAt.After(now) || !mayContact(r, now) {
			return err
		}
		busy, last, err := storage.CheckinLoad(ctx, tx, r.ID)
		if err != nil || busy {
			return err
		}
		w := s.zones.window(r.Timezone, r.WindowStart, r.WindowEnd)
		if next, soon := tooSoon(last, now, w.Loc); soon {
			st.Moved++
			return storage.MoveCheckin(ctx, tx, c.ID, w.PlannedOn(next, occurrenceKey(c.ReturneeID, c.FlowID, c.Month)), now)
		}
		if s.stale(c, now) || !w.Contains(now) {
			st.Moved++
			return storage.MoveCheckin(ctx, tx, c.ID, w.NextSpread(now, occurrenceKey(c.ReturneeID, c.FlowID, c.Month)), now)
		}
		conversationID, err := s.cfg.Opener.OpenCheckin(ctx, tx, c)
		if err != nil {
			openErr = err
			return err
		}
		expires := now.Add(s.cfg.ExpireAfter)
		c.OpenedAt, c.ExpiresAt, c.Reminders, c.RemindedAt = &now, &expires, 0, nil
		if err := storage.MarkCheckinOpened(ctx, tx, c.ID, conversationID, now, expires, s.nextAction(c, w)); err != nil {
			return err
		}
		st.Opened++
		return nil
	})
	if openErr == nil {
		return err
	}
	if errors.Is(openErr, storage.ErrConflict) {
		// The returnee is in another conversation (onboarding, a question of
		// their own): the check-in stays planned and is tried at the next tick.
		st.Busy++
		return storage.RecordCheckinAttempt(ctx, s.db, c.ID, now, false)
	}
	if err := storage.RecordCheckinAttempt(ctx, s.db, c.ID, now, true); err != nil {
		return err
	}
	retry := min(s.cfg.RetryAfter<<min(c.Attempts, 16), maxRetryAfter)
	if err := storage.MoveCheckin(ctx, s.db, c.ID, now.Add(retry), now); err != nil {
		return err
	}
	return openErr
}

// stale reports whether a check-in is late enough that opening it now would
// add to a flood (after downtime, or when its returnee was paused or busy
// with another check-in): it then moves to the next window instead. One
// tried recently (a returnee busy in a short conversation) is not stale.
func (s *Scheduler) stale(c storage.Checkin, now time.Time) bool {
	cutoff := now.Add(-s.cfg.CatchUpAfter)
	return c.OpenAt.Before(cutoff) && (c.LastAttemptAt == nil || c.LastAttemptAt.Before(cutoff))
}

// mayContact reports whether the scheduler may write to a returnee now:
// consented, reachable, not stopped or deleted, not paused (or the pause is
// over), and not on a safety hold until a human has followed up.
func mayContact(r storage.CheckinReturnee, now time.Time) bool {
	if r.Consent != "accepted" || r.ChatID == nil || r.SafetyHold {
		return false
	}
	switch r.Status {
	case storage.StatusActive:
		return true
	case storage.StatusPaused:
		return r.PausedUntil != nil && !r.PausedUntil.After(now)
	}
	return false
}
