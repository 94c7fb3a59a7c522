package bot

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/storage"
)

// defaultMaxAttempts is how many failed attempts make an update a dead letter.
const defaultMaxAttempts = 5

func (r *Router) maxAttempts() int {
	if r.MaxAttempts > 0 {
		return r.MaxAttempts
	}
	return defaultMaxAttempts
}

func (r *Router) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Failed implements UpdateHandler: it counts a failed attempt at upd in the
// database (so the count survives restarts and webhook redeliveries) and,
// at the last attempt, makes it a dead letter recorded as handled. raw is the
// update as received; nil re-encodes upd.
func (r *Router) Failed(ctx context.Context, upd tgbotapi.Update, raw []byte, herr error) (bool, error) {
	if raw == nil {
		var err error
		if raw, err = json.Marshal(upd); err != nil {
			return false, fmt.Errorf("encode update %d: %w", upd.UpdateID, err)
		}
	}
	attempts, dead, err := storage.RecordFailure(ctx, r.DB, storage.UpdateFailure{
		UpdateID: upd.UpdateID, ChatID: chatKey(upd), Raw: raw, Error: herr.Error(), At: r.now(),
	}, r.maxAttempts())
	if err != nil {
		return false, err
	}
	if !dead {
		r.failed.Store(upd.UpdateID, struct{}{})
	}
	if dead {
		r.count("dead_letter")
		if r.Metrics != nil {
			r.Metrics.DeadLetters.Inc()
		}
		if r.Logger != nil {
			r.Logger.Error("update given up as a dead letter", "update_id", upd.UpdateID, "attempts", attempts, "err", herr)
		}
	}
	return dead, nil
}

// RetryFailedError is a dead letter that failed again when handed back.
type RetryFailedError struct {
	Attempts int // attempts so far, this one included
	Err      error
}

func (e *RetryFailedError) Error() string {
	return fmt.Sprintf("failed again (%d attempts): %v", e.Attempts, e.Err)
}

func (e *RetryFailedError) Unwrap() error { return e.Err }

// RetryDeadLetter hands dead letter id back to the router, as if Telegram
// delivered it again: on success it is gone, its effects committed; on
// failure it stays, with one more attempt counted (*RetryFailedError).
func (r *Router) RetryDeadLetter(ctx context.Context, id int64) error {
	err := storage.InTx(ctx, r.DB, func(tx *sql.Tx) error {
		d, err := storage.TakeDeadLetter(ctx, tx, id)
		if err != nil {
			return err
		}
		var upd tgbotapi.Update
		if err := json.Unmarshal(d.Raw, &upd); err != nil {
			return fmt.Errorf("decode dead letter %d: %w", id, err)
		}
		cleanUpdate(&upd)
		// Its id was recorded when it died: handled again on purpose.
		if _, err := storage.StartUpdate(ctx, tx, upd.UpdateID, chatKey(upd), r.now()); err != nil {
			return err
		}
		return r.route(ctx, tx, upd)
	})
	if errors.Is(err, storage.ErrNoDeadLetter) {
		return err
	}
	if err != nil {
		attempts, cerr := storage.DeadLetterRetryFailed(ctx, r.DB, id, err.Error(), r.now())
		if cerr != nil {
			return errors.Join(err, cerr)
		}
		return &RetryFailedError{Attempts: attempts, Err: err}
	}
	r.committed()
	return nil
}
