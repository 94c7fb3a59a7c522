package bot

import (
	"context"
	"database/sql"
	"time"

	"suivi/storage"
)

// outcome is what became of one call, with what a 403 needs.
type outcome struct {
	out       storage.SendOutcome
	chatID    int64
	forbidden bool
}

// recorder writes outcomes as soon as they come, those that come within
// recordLinger of each other in one transaction (one commit for many
// messages at a busy time), so one slow call never holds up the others of
// its batch by more than that. A failed write is retried with backoff for up to half the lease:
// a message Telegram accepted must be recorded before its lease runs out,
// or another sender would send it again.
type recorder struct {
	s  *Sender
	in chan outcome
}

const (
	recordBatch   = 500
	recordLinger  = 5 * time.Millisecond
	recordBackoff = 50 * time.Millisecond
	recordMaxWait = 5 * time.Second
)

func newRecorder(s *Sender) *recorder {
	return &recorder{s: s, in: make(chan outcome, 2*maxInFlight)}
}

func (r *recorder) add(o outcome) { r.in <- o }

// close ends run once every outcome added has been written.
func (r *recorder) close() { close(r.in) }

func (r *recorder) run() {
	linger := time.NewTimer(0)
	for first := range r.in {
		batch := []outcome{first}
		linger.Reset(recordLinger)
	gather:
		for len(batch) < recordBatch {
			select {
			case o, ok := <-r.in:
				if !ok {
					break gather
				}
				batch = append(batch, o)
			case <-linger.C:
				break gather
			}
		}
		linger.Stop()
		r.write(batch)
	}
}

func (r *recorder) write(batch []outcome) {
	// Outcomes are recorded even when shutting down: nothing half-written.
	ctx := context.Background()
	giveUp := time.Now().Add(r.s.cfg.Lease / 2)
	delay := recordBackoff
	outs := make([]storage.SendOutcome, len(batch))
	for i, o := range batch {
		outs[i] = o.out
	}
	for attempt := 1; ; attempt++ {
		err := storage.InTx(ctx, r.s.cfg.DB, func(tx *sql.Tx) error {
			if _, err := storage.RecordOutcomes(ctx, tx, r.s.cfg.Now(), outs); err != nil {
				return err
			}
			for _, o := range batch {
				if o.forbidden {
					if err := chatUnreachable(ctx, tx, o.chatID, o.out.Error, r.s.cfg.Now()); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err == nil {
			// A chat's next message can be claimed only once this one is
			// recorded: a claim that ran meanwhile found that chat blocked.
			r.s.Wake()
			return
		}
		if time.Now().Add(delay).After(giveUp) {
			r.s.cfg.Logger.Error("send outcomes not recorded; these messages will be sent again when their lease runs out",
				"messages", len(batch), "attempts", attempt, "err", err)
			return
		}
		r.s.cfg.Logger.Warn("record send outcomes; retrying", "messages", len(batch), "attempt", attempt, "err", err)
		time.Sleep(delay)
		delay = min(2*delay, recordMaxWait)
	}
}
