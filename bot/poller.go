package bot

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/lease"
)

// UpdateHandler handles one update in one transaction; a nil error means its
// effects and its update id are committed.
type UpdateHandler interface {
	HandleUpdate(ctx context.Context, upd tgbotapi.Update) error
	// Failed counts a failed attempt at upd (raw as received, or nil) and
	// reports whether it is now a dead letter, recorded as handled, so that
	// intake can confirm it and go on.
	Failed(ctx context.Context, upd tgbotapi.Update, raw []byte, err error) (bool, error)
}

// Poller is Suivi's own long-polling loop. An update is confirmed (the next
// offset) only after the transaction that handled it committed or it became
// a dead letter; errors back off with jitter, retry_after is honoured, and an
// empty answer that comes back at once never makes it spin.
//
// An update whose handling fails is retried in place, with backoff, while
// its chat's later updates wait and other chats go on; after the handler's
// last attempt it is a dead letter and the batch is confirmed past it.
//
// With a Lease, only the replica holding it polls (Telegram answers 409 to
// a second poller); the others wait and take over when it expires.
type Poller struct {
	Telegram      Telegram
	Handler       UpdateHandler
	Logger        *slog.Logger
	Timeout       time.Duration // long-poll wait (default 25s)
	MinInterval   time.Duration // least time between two polls (default 100ms)
	Workers       int           // chats handled in parallel (default 8)
	HandleTimeout time.Duration // one update's handling (default 30s)
	MaxBackoff    time.Duration // longest wait after errors (default 30s)
	RetryBase     time.Duration // first wait before retrying a failed update (default 250ms)
	Lease         lease.Lease   // nil: poll without electing a poller
	LeaseTTL      time.Duration // the lease's time-to-live (default 10s)

	offset int
}

func (p *Poller) defaults() {
	if p.Timeout <= 0 {
		p.Timeout = 25 * time.Second
	}
	if p.MinInterval <= 0 {
		p.MinInterval = 100 * time.Millisecond
	}
	if p.Workers <= 0 {
		p.Workers = 8
	}
	if p.HandleTimeout <= 0 {
		p.HandleTimeout = 30 * time.Second
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = 30 * time.Second
	}
	if p.RetryBase <= 0 {
		p.RetryBase = 250 * time.Millisecond
	}
	if p.LeaseTTL <= 0 {
		p.LeaseTTL = 10 * time.Second
	}
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
}

// Run polls until ctx ends, as the lease holder when there is a Lease.
// Updates being handled when ctx ends are finished (or rolled back at
// HandleTimeout) before Run returns, and the lease is released.
func (p *Poller) Run(ctx context.Context) {
	p.defaults()
	if p.Lease == nil {
		p.poll(ctx)
		return
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		p.Lease.Release(rctx)
	}()
	waiting := false
	for ctx.Err() == nil {
		err := lease.Hold(ctx, p.Lease, p.LeaseTTL, p.Logger, func(ctx context.Context, _ int64) error {
			p.Logger.Info("polling Telegram: this replica holds the polling lease")
			waiting = false
			p.poll(ctx)
			return nil
		})
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, lease.ErrNotHeld):
			if !waiting {
				p.Logger.Info("another replica polls Telegram; standing by")
				waiting = true
			}
		case err != nil:
			p.Logger.Warn("polling lease unavailable", "err", err)
		}
		sleepFor(ctx, jitter(p.LeaseTTL/3))
	}
}

// poll runs the long-polling loop until ctx ends.
func (p *Poller) poll(ctx context.Context) {
	failures := 0
	for ctx.Err() == nil {
		started := time.Now()
		updates, err := p.Telegram.GetUpdates(ctx, p.offset, 100, p.Timeout)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			failures++
			kind, wait := Classify(err)
			if kind != ErrRateLimited {
				wait = jitteredBackoff(failures, p.MaxBackoff)
			}
			p.Logger.Warn("getUpdates failed", "reason", describe(err), "retry_in", wait.Round(time.Millisecond))
			sleepFor(ctx, wait)
			continue
		}
		if len(updates) > 0 {
			confirmed, ok := p.handleBatch(ctx, updates)
			if confirmed >= p.offset {
				p.offset = confirmed + 1
			}
			if !ok {
				failures++
				sleepFor(ctx, jitteredBackoff(failures, p.MaxBackoff))
				continue
			}
		}
		failures = 0
		sleepFor(ctx, p.MinInterval-time.Since(started))
	}
}

// handleBatch handles updates, one goroutine per chat so that one person's
// updates stay in order, and returns the highest update id below which every
// update committed, and whether all did.
func (p *Poller) handleBatch(ctx context.Context, updates []tgbotapi.Update) (int, bool) {
	hctx := context.WithoutCancel(ctx)
	results := make([]error, len(updates))
	byChat := map[int64][]int{}
	var order []int64
	for i, u := range updates {
		key := chatKey(u)
		if _, seen := byChat[key]; !seen {
			order = append(order, key)
		}
		byChat[key] = append(byChat[key], i)
	}
	sem := make(chan struct{}, p.Workers)
	var wg sync.WaitGroup
	for _, key := range order {
		idx := byChat[key]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			for _, i := range idx {
				results[i] = p.handle(ctx, hctx, updates[i])
				if results[i] != nil {
					for _, rest := range idx { // keep this chat's order: stop here
						if rest > i && results[rest] == nil {
							results[rest] = errSkipped
						}
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	confirmed := p.offset - 1
	for i, u := range updates {
		if results[i] != nil {
			return confirmed, false
		}
		confirmed = u.UpdateID
	}
	return confirmed, true
}

// handle handles upd, retrying it with backoff after a failure until it
// succeeds or the handler gives it up as a dead letter (both nil). It returns
// the error when the update must stay unconfirmed: ctx ended, or even its
// failure could not be counted (the database is unreachable).
func (p *Poller) handle(ctx, hctx context.Context, upd tgbotapi.Update) error {
	for attempt := 1; ; attempt++ {
		c, cancel := context.WithTimeout(hctx, p.HandleTimeout)
		err := p.Handler.HandleUpdate(c, upd)
		cancel()
		if err == nil {
			return nil
		}
		p.Logger.Error("handle update", "update_id", upd.UpdateID, "attempt", attempt, "err", err)
		c, cancel = context.WithTimeout(hctx, p.HandleTimeout)
		dead, ferr := p.Handler.Failed(c, upd, nil, err)
		cancel()
		if ferr != nil {
			p.Logger.Error("count a failed update", "update_id", upd.UpdateID, "err", ferr)
			return err
		}
		if dead {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		sleepFor(ctx, jitter(p.RetryBase<<min(attempt-1, 8)))
	}
}

type skipped struct{}

func (skipped) Error() string { return "skipped after an earlier failure in the same chat" }

var errSkipped error = skipped{}

// chatKey groups updates of one person; updates without a chat share key 0.
func chatKey(u tgbotapi.Update) int64 {
	if c := fromChat(u); c != nil {
		return c.ID
	}
	if f := u.SentFrom(); f != nil {
		return f.ID
	}
	return 0
}

// jitteredBackoff grows from 100ms, doubling per failure up to max, with
// jitter so replicas do not retry in step.
func jitteredBackoff(failures int, maxWait time.Duration) time.Duration {
	d := 100 * time.Millisecond << min(failures-1, 16)
	if d > maxWait || d <= 0 {
		d = maxWait
	}
	return jitter(d)
}

// jitter returns a duration between d/2 and d.
func jitter(d time.Duration) time.Duration {
	return d/2 + rand.N(d/2+1)
}
