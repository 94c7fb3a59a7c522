package bot

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// UpdateHandler handles one update in one transaction; a nil error means its
// effects and its update id are committed.
type UpdateHandler interface {
	HandleUpdate(ctx context.Context, upd tgbotapi.Update) error
}

// Poller is Suivi's own long-polling loop. An update is confirmed (the next
// offset) only after the transaction that handled it committed, errors back
// off with jitter, retry_after is honoured, and an empty answer that comes
// back at once never makes it spin.
type Poller struct {
	Telegram      Telegram
	Handler       UpdateHandler
	Logger        *slog.Logger
	Timeout       time.Duration // long-poll wait (default 25s)
	MinInterval   time.Duration // least time between two polls (default 100ms)
	Workers       int           // chats handled in parallel (default 8)
	HandleTimeout time.Duration // one update's handling (default 30s)
	MaxBackoff    time.Duration // longest wait after errors (default 30s)

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
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
}

// Run polls until ctx ends. Updates being handled when ctx ends are finished
// (or rolled back at HandleTimeout) before Run returns.
func (p *Poller) Run(ctx context.Context) {
	p.defaults()
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
				c, cancel := context.WithTimeout(hctx, p.HandleTimeout)
				results[i] = p.Handler.HandleUpdate(c, updates[i])
				cancel()
				if results[i] != nil {
					p.Logger.Error("handle update", "update_id", updates[i].UpdateID, "err", results[i])
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

type skipped struct{}

func (skipped) Error() string { return "skipped after an earlier failure in the same chat" }

var errSkipped error = skipped{}

// chatKey groups updates of one person; updates without a chat share key 0.
func chatKey(u tgbotapi.Update) int64 {
	if c := u.FromChat(); c != nil {
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
	return d/2 + rand.N(d/2+1)
}
