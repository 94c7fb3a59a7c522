package bot

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"suivi/followup"
	"suivi/storage"
)

// SenderConfig configures the outbox sender.
type SenderConfig struct {
	DB          *sql.DB
	Telegram    Telegram
	Limiter     Limiter
	Metrics     *Metrics
	Logger      *slog.Logger
	Rate        float64       // global messages per second, to size batches (0: unlimited)
	Loops       int           // concurrent claim loops besides the reply loop (default 2)
	Lease       time.Duration // how long a claim is held before another sender may take it (default 2m)
	Idle        time.Duration // poll interval when the outbox is empty (default 250ms)
	MaxAttempts int           // transient failures before a message fails (default 8)
	BackoffBase time.Duration // first retry delay after a transient failure (default 1s)
	BackoffMax  time.Duration // longest retry delay (default 5m)
	Now         func() time.Time
}

// Sender delivers the outbox: it claims due messages with SKIP LOCKED, so
// any number of replicas share the work, paces them with the Limiter and
// records each outcome.
type Sender struct {
	cfg  SenderConfig
	gate *gate
	wake chan struct{}
}

// NewSender returns a sender; Run starts it.
func NewSender(cfg SenderConfig) *Sender {
	if cfg.Loops <= 0 {
		cfg.Loops = 2
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Idle <= 0 {
		cfg.Idle = 250 * time.Millisecond
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.BackoffBase <= 0 {
		cfg.BackoffBase = time.Second
	}
	if cfg.BackoffMax <= 0 {
		cfg.BackoffMax = 5 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Limiter == nil {
		cfg.Limiter = NewLocalLimiter(LimitConfig{})
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Sender{cfg: cfg, gate: newGate(cfg.Limiter), wake: make(chan struct{}, 1)}
}

// Wake tells the sender new messages were committed.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// batchSize keeps a claim to about half a second of sending, so that a
// reply claimed by the next pass does not wait behind a long batch.
func (s *Sender) batchSize() int {
	if s.cfg.Rate <= 0 {
		return 500
	}
	return min(200, max(4, int(s.cfg.Rate/2)))
}

// Run sends until ctx ends, then finishes the calls in flight and records
// their outcomes before returning.
func (s *Sender) Run(ctx context.Context) {
	gateCtx, stopGate := context.WithCancel(context.Background())
	defer stopGate()
	go s.gate.run(gateCtx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.loop(ctx, true) }()
	for range s.cfg.Loops {
		wg.Add(1)
		go func() { defer wg.Done(); s.loop(ctx, false) }()
	}
	wg.Wait()
}

func (s *Sender) loop(ctx context.Context, repliesOnly bool) {
	for ctx.Err() == nil {
		n, err := s.pass(ctx, repliesOnly)
		if err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error("send outbox", "err", err)
			sleepFor(ctx, time.Second)
			continue
		}
		if n == 0 {
			select {
			case <-ctx.Done():
			case <-s.wake:
			case <-time.After(s.cfg.Idle):
			}
		}
	}
}

// SendPending runs claim passes until no message is due, for tests and
// commands that want the outbox drained now.
func (s *Sender) SendPending(ctx context.Context) (int, error) {
	gateCtx, stopGate := context.WithCancel(ctx)
	defer stopGate()
	go s.gate.run(gateCtx)
	total := 0
	for {
		n, err := s.pass(ctx, false)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// pass claims one batch, sends it and records the outcomes.
func (s *Sender) pass(ctx context.Context, repliesOnly bool) (int, error) {
	limit := s.batchSize()
	var msgs []storage.OutboxMessage
	var err error
	if repliesOnly {
		msgs, err = storage.ClaimReplies(ctx, s.cfg.DB, s.cfg.Now(), s.cfg.Lease, limit)
	} else {
		msgs, err = storage.ClaimOutbox(ctx, s.cfg.DB, s.cfg.Now(), s.cfg.Lease, limit)
	}
	if err != nil || len(msgs) == 0 {
		return 0, err
	}
	outcomes := make([]storage.SendOutcome, len(msgs))
	forbidden := make([]bool, len(msgs))
	var wg sync.WaitGroup
	for i, m := range msgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcomes[i], forbidden[i] = s.deliver(ctx, m)
		}()
	}
	wg.Wait()
	// Outcomes are recorded even when shutting down: nothing half-written.
	rec := context.WithoutCancel(ctx)
	err = storage.InTx(rec, s.cfg.DB, func(tx *sql.Tx) error {
		if err := storage.RecordOutcomes(rec, tx, s.cfg.Now(), outcomes); err != nil {
			return err
		}
		for i, m := range msgs {
			if forbidden[i] {
				if err := chatUnreachable(rec, tx, m.ChatID, outcomes[i].Error, s.cfg.Now()); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return len(msgs), err
}

// chatUnreachable drops the rest of a chat's queue after a 403 and marks
// its returnee unreachable with an alert for the case worker.
func chatUnreachable(ctx context.Context, tx *sql.Tx, chatID int64, reason string, now time.Time) error {
	if _, err := storage.DropChatQueue(ctx, tx, chatID, reason); err != nil {
		return err
	}
	id, err := storage.MarkReturneeUnreachable(ctx, tx, chatID)
	if err != nil || id == 0 {
		return err
	}
	_, _, err = followup.RaiseAlert(ctx, tx, followup.Alert{Returnee: storage.ReturneeID(id), Rule: "sender.forbidden",
		Category: followup.CategoryUnreachable, Severity: followup.SeverityMedium,
		TextKey: followup.TextUndeliverable, Params: map[string]any{"reason": reason}}, now)
	return err
}

// paced reports whether a method sends or edits a message, which Telegram
// counts against its limits.
func paced(method string) bool {
	return strings.HasPrefix(method, "send") || strings.HasPrefix(method, "edit")
}

// deliver makes one call and decides what becomes of the message.
func (s *Sender) deliver(ctx context.Context, m storage.OutboxMessage) (storage.SendOutcome, bool) {
	out := storage.SendOutcome{ID: m.ID, Ephemeral: m.Ephemeral, CountAttempt: true}
	if paced(m.Method) {
		err := s.cfg.Limiter.WaitChat(ctx, m.ChatID)
		if err == nil {
			err = s.gate.wait(ctx, m.Lane)
		}
		if err != nil { // shutting down before the call: give it back untouched
			out.Status, out.RetryAt, out.CountAttempt = storage.OutboxPending, s.cfg.Now(), false
			return out, false
		}
	}
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	start := time.Now()
	raw, err := s.cfg.Telegram.Call(callCtx, m.Method, m.Params)
	s.cfg.Metrics.SendLatency.Observe(time.Since(start).Seconds())
	if paced(m.Method) {
		s.cfg.Limiter.MarkChat(callCtx, m.ChatID)
	}
	if err == nil {
		out.Status = storage.OutboxSent
		out.TelegramMessageID = messageID(raw)
		s.cfg.Metrics.MessagesSent.WithLabelValues("sent").Inc()
		return out, false
	}
	kind, wait := Classify(err)
	out.Error = describe(err)
	switch kind {
	case ErrRateLimited:
		s.cfg.Metrics.TooManyRequest.Inc()
		s.cfg.Metrics.MessagesSent.WithLabelValues("rate_limited").Inc()
		s.cfg.Limiter.Penalize(callCtx, wait)
		out.Status, out.RetryAt, out.CountAttempt = storage.OutboxPending, s.cfg.Now().Add(wait), false
	case ErrForbidden:
		s.cfg.Metrics.MessagesSent.WithLabelValues("forbidden").Inc()
		out.Status = storage.OutboxFailed
		return out, true
	case ErrRejected:
		if strings.Contains(out.Error, "message is not modified") {
			out.Status = storage.OutboxSent // harmless: the edit is already there
			return out, false
		}
		s.cfg.Metrics.MessagesSent.WithLabelValues("failed").Inc()
		s.cfg.Logger.Warn("message rejected", "outbox_id", m.ID, "method", m.Method, "reason", out.Error)
		out.Status = storage.OutboxFailed
	default:
		if m.Attempts >= s.cfg.MaxAttempts {
			s.cfg.Metrics.MessagesSent.WithLabelValues("failed").Inc()
			s.cfg.Logger.Warn("message failed after retries", "outbox_id", m.ID, "attempts", m.Attempts, "reason", out.Error)
			out.Status = storage.OutboxFailed
			return out, false
		}
		s.cfg.Metrics.MessagesSent.WithLabelValues("retry").Inc()
		out.Status, out.RetryAt = storage.OutboxPending, s.cfg.Now().Add(s.backoff(m.Attempts))
	}
	return out, false
}

// backoff is exponential with full jitter between half and all of the step.
func (s *Sender) backoff(attempt int) time.Duration {
	d := s.cfg.BackoffBase << min(attempt-1, 20)
	if d > s.cfg.BackoffMax || d <= 0 {
		d = s.cfg.BackoffMax
	}
	return d/2 + rand.N(d/2+1)
}

func messageID(raw json.RawMessage) int64 {
	var m struct {
		MessageID int64 `json:"message_id"`
	}
	if json.Unmarshal(raw, &m) != nil {
		return 0
	}
	return m.MessageID
}
