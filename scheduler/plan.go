package scheduler

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"suivi/storage"
)

// plan is the leader's pass. Every known returnee is planned through a
// global date (scheduler_state.planned_through); each day the date moves
// forward and only returnees with an occurrence in the new days are read.
// A returnee left out of a daily pass (consent withdrawn, deleted) has their
// plan forgotten in the same pass, so they are planned afresh if they come
// back, and no day is skipped for them.
// Returnees seen for the first time, or whose return date, zone or window
// changed, are planned in full up to the same date. Rows are created with
// ON CONFLICT DO NOTHING, so a pass cut short and done again by another
// leader never doubles an occurrence; every write checks the fence.
func (s *Scheduler) plan(ctx context.Context, now time.Time, fence int64, st *tickStats) error {
	through := dateOf(now.UTC()).AddDate(0, 0, s.cfg.Lookahead)
	plannedThrough, known, err := storage.PlannedThrough(ctx, s.db)
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	daily := !known || plannedThrough.Before(through)
	err = s.fenced(ctx, fence, func(tx *sql.Tx) error {
		// Once a day, and when this replica becomes leader: cancel what
		// withdrawn or deleted returnees and removed campaigns left planned
		// (until then it is never opened), forget those returnees' plans.
		if daily || s.tidied.Load() != fence {
			n, err := storage.CancelWithdrawnCheckins(ctx, tx, s.flows, now)
			if err != nil {
				return err
			}
			st.Cancelled += n
		}
		n, err := storage.SkipStaleCheckins(ctx, tx, now.Add(-s.cfg.Horizon), now.Add(-s.cfg.CatchUpAfter), now)
		st.Skipped += n
		return err
	})
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	s.tidied.Store(fence)

	if known && plannedThrough.Before(through) {
		err := s.planEach(ctx, now, fence, st, func(fn func(storage.PlanReturnee) error) error {
			return storage.EachPlannedReturneeIn(ctx, s.db, s.returnDatesDueIn(plannedThrough, through), fn)
		}, &plannedThrough, through, false)
		if err != nil {
			return fmt.Errorf("plan days through %s: %w", through.Format(time.DateOnly), err)
		}
	}
	err = s.planEach(ctx, now, fence, st, func(fn func(storage.PlanReturnee) error) error {
		return storage.EachUnplannedReturnee(ctx, s.db, fn)
	}, nil, through, true)
	if err != nil {
		return fmt.Errorf("plan new returnees: %w", err)
	}
	if daily {
		if err := s.fenced(ctx, fence, func(tx *sql.Tx) error {
			return storage.SetPlannedThrough(ctx, tx, through)
		}); err != nil {
			return fmt.Errorf("plan: %w", err)
		}
	}
	return nil
}

// planEach plans the returnees each streams, their occurrences due in
// (after, through], recording what they were planned with when asked.
func (s *Scheduler) planEach(ctx context.Context, now time.Time, fence int64, st *tickStats,
	each func(func(storage.PlanReturnee) error) error, after *time.Time, through time.Time, record bool) error {
	b := newPlanBatch(ctx, s, now, fence)
	err := each(func(r storage.PlanReturnee) error { return b.add(r, after, through, record) })
	n, closeErr := b.close()
	st.Planned += n
	if closeErr != nil { // the writers' error is the cause of the reader's
		return closeErr
	}
	return err
}

// returnDatesDueIn lists, for every month offset in the campaigns, the
// return dates with an occurrence in (after, through].
func (s *Scheduler) returnDatesDueIn(after, through time.Time) []storage.DateRange {
	seen := map[int]bool{}
	var out []storage.DateRange
	for _, c := range s.cfg.Campaigns {
		for _, m := range c.Months {
			if seen[m] {
				continue
			}
			seen[m] = true
			if lo, hi, ok := returnDatesDueIn(m, after, through); ok {
				out = append(out, storage.DateRange{From: lo, To: hi})
			}
		}
	}
	return out
}

// planWriters is how many planning transactions run at once: the database
// does most of the work (indexes, foreign keys), and a few writers keep it busy.
const planWriters = 3

// planBatch gathers the rows of up to BatchSize returnees at a time and
// hands them to a few writers, each batch in one fenced transaction. Memory
// stays bounded: at most planWriters+2 batches exist at once.
type planBatch struct {
	s     *Scheduler
	ctx   context.Context
	now   time.Time
	fence int64

	cur     *planChunk
	queue   chan *planChunk
	wg      sync.WaitGroup
	cancel  context.CancelCauseFunc
	mu      sync.Mutex
	planned int64
}

type planChunk struct {
	returnees int
	rows      []storage.NewCheckin
	record    []storage.PlanReturnee
	changed   []int64
}

func newPlanBatch(ctx context.Context, s *Scheduler, now time.Time, fence int64) *planBatch {
	b := &planBatch{s: s, now: now, fence: fence, cur: &planChunk{}, queue: make(chan *planChunk, 1)}
	b.ctx, b.cancel = context.WithCancelCause(ctx)
	for range planWriters {
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			for c := range b.queue {
				if b.ctx.Err() != nil {
					continue
				}
				if err := b.write(c); err != nil {
					b.cancel(err)
				}
			}
		}()
	}
	return b
}

func (b *planBatch) add(r storage.PlanReturnee, after *time.Time, through time.Time, record bool) error {
	c := b.cur
	c.rows = b.s.occurrences(c.rows, r, after, through, b.now)
	if record {
		c.record = append(c.record, r)
		if r.Changed {
			c.changed = append(c.changed, r.ID)
		}
	}
	c.returnees++
	if c.returnees >= b.s.cfg.BatchSize {
		return b.send()
	}
	return nil
}

func (b *planBatch) send() error {
	if b.cur.returnees == 0 {
		return context.Cause(b.ctx)
	}
	select {
	case b.queue <- b.cur:
		b.cur = &planChunk{}
		return nil
	case <-b.ctx.Done():
		return context.Cause(b.ctx)
	}
}

// close writes what is left, waits for the writers and reports the first
// error, if any.
func (b *planBatch) close() (planned int64, err error) {
	err = b.send()
	close(b.queue)
	b.wg.Wait()
	if cause := context.Cause(b.ctx); cause != nil {
		err = cause
	}
	b.cancel(nil)
	return b.planned, err
}

func (b *planBatch) write(c *planChunk) error {
	err := b.s.fenced(b.ctx, b.fence, func(tx *sql.Tx) error {
		if err := storage.DeletePlannedCheckins(b.ctx, tx, c.changed); err != nil {
			return err
		}
		n, err := storage.InsertCheckins(b.ctx, tx, c.rows, b.now)
		if err != nil {
			return err
		}
		b.mu.Lock()
		b.planned += n
		b.mu.Unlock()
		return storage.RecordCheckinPlans(b.ctx, tx, c.record, b.now)
	})
	if err == nil && b.s.afterPlanBatch != nil {
		b.s.afterPlanBatch()
	}
	return err
}

// occurrences appends the returnee's occurrences whose month falls in
// (after, through] (up to through when after is nil) to out. The flows due in
// one month are spread SpreadDays apart, so the later ones are created a few
// days before they are due.
func (s *Scheduler) occurrences(out []storage.NewCheckin, r storage.PlanReturnee, after *time.Time, through, now time.Time) []storage.NewCheckin {
	w := s.zones.window(r.Timezone, r.WindowStart, r.WindowEnd)
	first := len(out)
	eachDue(s.slots, s.cfg.Campaigns, r, func(o dueOccurrence) bool {
		if o.base.After(through) {
			return false
		}
		if after == nil || o.base.After(*after) {
			out = append(out, s.newCheckin(r.ID, s.cfg.Campaigns[o.campaign].FlowID, o.n, o.month, o.due, w, now))
		}
		return true
	})
	spaceOut(out[first:], w)
	return out
}

// newCheckin places one occurrence with the scheduler's settings.
func (s *Scheduler) newCheckin(returneeID int64, flowID string, n, month int, due time.Time, w Window, now time.Time) storage.NewCheckin {
	return placeOccurrence(returneeID, flowID, n, month, due, w, now, s.cfg.Horizon, s.cfg.CatchUpAfter)
}

// placeOccurrence places one occurrence: at its spread instant in the window
// of its due date; in the next window when that instant has passed (catch-up
// after downtime, or a late enrolment); skipped when past the horizon.
func placeOccurrence(returneeID int64, flowID string, n, month int, due time.Time, w Window, now time.Time, horizon, catchUp time.Duration) storage.NewCheckin {
	key := occurrenceKey(returneeID, flowID, month)
	dueAt := w.PlannedOn(due, key)
	c := storage.NewCheckin{ReturneeID: returneeID, FlowID: flowID, Occurrence: n, Month: month,
		DueDate: due, DueAt: dueAt, OpenAt: dueAt, Status: storage.CheckinPlanned}
	switch {
	case dueAt.Before(now.Add(-horizon)):
		c.Status = storage.CheckinSkipped
	case dueAt.Before(now.Add(-catchUp)):
		c.OpenAt = w.NextSpread(now, key)
	}
	return c
}

// fenced runs fn in a transaction refused if this leader's fence is stale.
func (s *Scheduler) fenced(ctx context.Context, fence int64, fn func(tx *sql.Tx) error) error {
	return storage.InTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := storage.CheckFence(ctx, tx, fence); err != nil {
			return err
		}
		return fn(tx)
	})
}
