package scheduler

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"suivi/followup"
	"suivi/storage"
)

// act reminds and expires the open check-ins whose next action is due.
// Like open, it is safe on every replica: one transaction per check-in,
// claimed with SKIP LOCKED after its returnee.
func (s *Scheduler) act(ctx context.Context, now time.Time, st *tickStats) error {
	var after storage.CheckinRef
	for {
		refs, err := storage.ActionCheckins(ctx, s.db, now, after, claimBatch)
		if err != nil {
			return err
		}
		for _, ref := range refs {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := storage.InTx(ctx, s.db, func(tx *sql.Tx) error { return s.actOne(ctx, tx, ref, now, st) }); err != nil {
				st.Failed++
				s.log.Error("remind or expire checkin", "checkin_id", ref.ID, "error", err)
			}
		}
		if len(refs) < claimBatch {
			return nil
		}
		after = refs[len(refs)-1]
	}
}

func (s *Scheduler) actOne(ctx context.Context, tx *sql.Tx, ref storage.CheckinRef, now time.Time, st *tickStats) error {
	r, ok, err := storage.ClaimCheckinReturnee(ctx, tx, ref.ReturneeID)
	if err != nil || !ok {
		return err
	}
	c, ok, err := storage.ClaimCheckin(ctx, tx, ref.ID, storage.CheckinOpen)
	if err != nil || !ok || c.NextActionAt == nil || c.NextActionAt.After(now) {
		return err
	}
	// The bot marks completions itself (storage.CompleteCheckin); this
	// catches a conversation that ended without it.
	conv := ""
	if c.ConversationID != nil {
		conv, err = storage.ConversationStatus(ctx, tx, *c.ConversationID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	switch conv {
	case "completed":
		st.Completed++
		return storage.CloseCheckin(ctx, tx, c.ID, storage.CheckinCompleted, now, 0)
	case "cancelled", "":
		return storage.CloseCheckin(ctx, tx, c.ID, storage.CheckinCancelled, now, 0)
	}
	if conv == "expired" || !now.Before(*c.ExpiresAt) {
		return s.expire(ctx, tx, c, r, now, conv == "active", st)
	}

	w := s.zones.window(r.Timezone, r.WindowStart, r.WindowEnd)
	n := c.Reminders + 1
	if !mayContact(r, now) {
		// Paused, held, stopped: this reminder is passed over, not sent later.
		c.Reminders = n
		return storage.MarkCheckinReminded(ctx, tx, c.ID, n, nil, s.nextAction(c, w), now)
	}
	if !w.Contains(now) {
		// A late tick: remind when the window next opens, if before expiry.
		return storage.SetCheckinNextAction(ctx, tx, c.ID, earlier(w.NextOpening(now), *c.ExpiresAt), now)
	}
	if err := s.cfg.Opener.RemindCheckin(ctx, tx, c, n); err != nil {
		return err
	}
	c.Reminders, c.RemindedAt = n, &now
	st.Reminded++
	return storage.MarkCheckinReminded(ctx, tx, c.ID, n, &now, s.nextAction(c, w), now)
}

// nextAction is when an open check-in next needs the scheduler: its next
// reminder, ReminderAfter[n] after opening (and as far after the previous
// reminder as the schedule puts them apart) at the next window opening, or
// its expiry when no reminder fits before.
func (s *Scheduler) nextAction(c storage.Checkin, w Window) time.Time {
	expires := *c.ExpiresAt
	if c.Reminders >= len(s.cfg.ReminderAfter) {
		return expires
	}
	at := c.OpenedAt.Add(s.cfg.ReminderAfter[c.Reminders])
	if c.Reminders > 0 && c.RemindedAt != nil {
		at = later(at, c.RemindedAt.Add(s.cfg.ReminderAfter[c.Reminders]-s.cfg.ReminderAfter[c.Reminders-1]))
	}
	at = w.NextOpening(at)
	if !at.Before(expires) {
		return expires
	}
	return at
}

// expire closes an unanswered check-in. It counts as missed, unless the
// returnee may not be contacted now (paused, held, stopped, unreachable):
// then it is skipped. The second missed in a row raises one lost-contact
// alert; later ones in the same streak do not.
func (s *Scheduler) expire(ctx context.Context, tx *sql.Tx, c storage.Checkin, r storage.CheckinReturnee, now time.Time, active bool, st *tickStats) error {
	if active {
		if err := s.cfg.Opener.ExpireCheckin(ctx, tx, c); err != nil {
			return err
		}
	}
	if !mayContact(r, now) {
		return storage.CloseCheckin(ctx, tx, c.ID, storage.CheckinSkipped, now, 0)
	}
	streak := 1
	prev, err := storage.LastAnsweredOrMissed(ctx, tx, c.ReturneeID, c.ID)
	switch {
	case err == nil && prev.Status == storage.CheckinMissed:
		streak = prev.MissedStreak + 1
	case err != nil && !errors.Is(err, storage.ErrNotFound):
		return err
	}
	if err := storage.CloseCheckin(ctx, tx, c.ID, storage.CheckinMissed, now, streak); err != nil {
		return err
	}
	st.Missed++
	if streak != 2 {
		return nil
	}
	alert := followup.Alert{Returnee: storage.ReturneeID(c.ReturneeID), Rule: "scheduler.lost_contact",
		Category: followup.CategoryLostContact, Severity: followup.SeverityMedium, TextKey: followup.TextLostContact,
		Params: map[string]any{"missed": streak}}
	if c.ConversationID != nil {
		alert.Conversation = storage.ConversationID(*c.ConversationID)
	}
	if _, _, err := followup.RaiseAlert(ctx, tx, alert, now); err != nil {
		return err
	}
	st.Alerts++
	return nil
}
