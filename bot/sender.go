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
	Loops       int           // concurrent claim loops besides the reply loop (default 2)
	Lease       time.Duration // how long a claim is held before another sender may take it (default 2m)
	Idle        time.Duration // poll interval when the outbox is empty (default 250ms)
	MaxAttempts int           // transient failures before a message fails (default 8)
	BackoffBase time.Duration // first retry delay after a transient failure (default 1s)
	BackoffMax  time.Duration // longest retry delay (default 5m)
	ProbeEvery  time.Duration // getMe interval while Telegram refuses the bot (default 30s)
	Now         func() time.Time
}

// Claim sizing: a pass claims what the rate can send in about claimAhead,
// less what already waits for a slot; a claimed message that cannot leave
// within the hold (a quarter of the lease) is given back untouched, so
// waiting never eats the lease.
const (
	claimAhead   = time.Second
	maxClaim     = 500
	maxInFlight  = 512
	chatWaitMax  = 100 * time.Millisecond // longer per-chat waits are given back
	maxHold      = 10 * time.Second
	maxCallLimit = 20 * time.Second
)

// Sender delivers the outbox: it claims due messages with SKIP LOCKED, so
// any number of replicas share the work, paces them with the Limiter and
// records each outcome as soon as its call returns.
type Sender struct {
	cfg         SenderConfig
	gate        *gate
	wake        chan struct{}
	hold        time.Duration // longest wait between claim and call
	callTimeout time.Duration // hold + callTimeout stays inside the lease
	inFlight    chan struct{}
	calls       sync.WaitGroup
	rec         *recorder
	health      health
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
	if cfg.ProbeEvery <= 0 {
		cfg.ProbeEvery = 30 * time.Second
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
	s := &Sender{cfg: cfg, gate: newGate(), wake: make(chan struct{}, 1),
		hold: min(cfg.Lease/4, maxHold), callTimeout: min(cfg.Lease/2, maxCallLimit),
		inFlight: make(chan struct{}, maxInFlight)}
	s.rec = newRecorder(s)
	s.health.tripped = make(chan struct{}, 1)
	return s
}

// Wake tells the sender new messages were committed.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run sends until ctx ends, then finishes the calls in flight and records
// their outcomes before returning.
func (s *Sender) Run(ctx context.Context) {
	gateCtx, stopGate := context.WithCancel(context.Background())
	defer stopGate()
	go s.gate.run(gateCtx)
	recorded := make(chan struct{})
	go func() { s.rec.run(); close(recorded) }()
	go s.probe(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.loop(ctx, true) }()
	for range s.cfg.Loops {
		wg.Add(1)
		go func() { defer wg.Done(); s.loop(ctx, false) }()
	}
	wg.Wait()
	s.calls.Wait()
	s.rec.close()
	<-recorded
}

func (s *Sender) loop(ctx context.Context, repliesOnly bool) {
	for ctx.Err() == nil {
		if err := s.waitUsable(ctx); err != nil {
			return
		}
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

// waitUsable waits while Telegram refuses the bot or a 429 pause runs:
// nothing is claimed that could not be sent.
func (s *Sender) waitUsable(ctx context.Context) error {
	if healed := s.health.pausedCh(); healed != nil {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-healed:
		}
	}
	return sleepUntil(ctx, s.cfg.Limiter.PausedUntil(ctx))
}

// claimLimit is how many messages a pass may claim: about claimAhead of
// sending at the current rate, less what already waits at the gate (only
// replies count for the reply loop, which the gate serves first).
func (s *Sender) claimLimit(repliesOnly bool) int {
	r := s.cfg.Limiter.Rate()
	if r <= 0 {
		return maxClaim
	}
	prio := prioBulk
	if repliesOnly {
		prio = prioStranger
	}
	return max(0, min(maxClaim, int(r*claimAhead.Seconds())+1)-s.gate.queued(prio))
}

// pass claims one batch and starts its calls; it returns once every message
// of the batch has left or been given back, without waiting for the answers,
// which are recorded one by one as they come.
func (s *Sender) pass(ctx context.Context, repliesOnly bool) (int, error) {
	limit := s.claimLimit(repliesOnly)
	if limit == 0 {
		return 0, nil
	}
	token := rand.Int64()
	claimed := time.Now()
	var msgs []storage.OutboxMessage
	var err error
	if repliesOnly {
		msgs, err = storage.ClaimReplies(ctx, s.cfg.DB, s.cfg.Now(), s.cfg.Lease, limit, token)
	} else {
		msgs, err = storage.ClaimOutbox(ctx, s.cfg.DB, s.cfg.Now(), s.cfg.Lease, limit, token)
	}
	if err != nil || len(msgs) == 0 {
		return 0, err
	}
	chats := make([]int64, len(msgs))
	for i, m := range msgs {
		chats[i] = m.ChatID
	}
	waits := s.cfg.Limiter.ChatWaits(ctx, chats)
	measured := time.Now()
	var left sync.WaitGroup
	for i, m := range msgs {
		s.inFlight <- struct{}{}
		left.Add(1)
		s.calls.Add(1)
		go func() {
			defer func() { <-s.inFlight; s.calls.Done() }()
			s.deliver(ctx, claimedMessage{m, token, claimed, measured.Add(waits[i])}, sync.OnceFunc(left.Done))
		}()
	}
	left.Wait()
	return len(msgs), nil
}

// claimedMessage is a message with the claim it is held under.
type claimedMessage struct {
	storage.OutboxMessage
	token    int64
	at       time.Time // when the claim (or its last renewal) was made, local clock
	chatFree time.Time // when the chat's interval since its last message ends
}

func priority(m storage.OutboxMessage) int {
	switch {
	case m.Lane != storage.LaneReply:
		return prioBulk
	case m.Ephemeral:
		return prioStranger
	}
	return prioReply
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

// deliver waits for the message's turn, makes its call and hands the outcome
// to the recorder. left is called once the message has left or will not.
func (s *Sender) deliver(ctx context.Context, m claimedMessage, left func()) {
	out := storage.SendOutcome{ID: m.ID, ClaimToken: m.token, Ephemeral: m.Ephemeral, CountAttempt: true}
	giveBack := func(at time.Time) { // untouched: not attempted, due again at
		left()
		out.Status, out.RetryAt, out.CountAttempt = storage.OutboxPending, at, false
		s.rec.add(outcome{out: out})
	}
	if !paced(m.Method) {
		left()
		if s.stillHeld(ctx, &m) {
			s.rec.add(s.call(ctx, m.OutboxMessage, out))
		}
		return
	}
	wait := time.Until(m.chatFree)
	if wait > chatWaitMax { // the chat's interval runs: not sendable now
		giveBack(s.cfg.Now().Add(wait))
		return
	}
	if sleepFor(ctx, wait) != nil {
		giveBack(s.cfg.Now())
		return
	}
	holdCtx, cancel := context.WithDeadline(ctx, m.at.Add(s.hold))
	defer cancel()
	depart, err := s.gate.wait(holdCtx, priority(m.OutboxMessage))
	if err != nil { // a long queue or a pause: give it back for later
		giveBack(s.cfg.Now())
		return
	}
	defer depart()
	if !s.stillHeld(ctx, &m) {
		left()
		return
	}
	// The global slot is taken last, at the moment of the call.
	slotCtx, cancelSlot := context.WithDeadline(ctx, m.at.Add(s.hold))
	defer cancelSlot()
	if err := s.cfg.Limiter.WaitGlobal(slotCtx); err != nil {
		giveBack(s.cfg.Now())
		return
	}
	depart()
	left()
	s.rec.add(s.call(ctx, m.OutboxMessage, out))
}

// stillHeld re-checks the claim right before the call: within the hold it
// holds (the lease has at least three quarters to run, longer than a call);
// past it the lease is renewed, and a message another sender took over in
// the meantime is left alone.
func (s *Sender) stillHeld(ctx context.Context, m *claimedMessage) bool {
	if time.Since(m.at) < s.hold {
		return true
	}
	now := time.Now()
	ok, err := storage.RenewClaim(context.WithoutCancel(ctx), s.cfg.DB, m.ID, m.token, s.cfg.Now().Add(s.cfg.Lease))
	if err != nil {
		s.cfg.Logger.Warn("renew send claim; the message waits for its lease to run out", "outbox_id", m.ID, "err", err)
		return false
	}
	m.at = now
	return ok
}

// call makes one Bot API call and decides what becomes of the message.
func (s *Sender) call(ctx context.Context, m storage.OutboxMessage, out storage.SendOutcome) outcome {
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.callTimeout)
	defer cancel()
	start := time.Now()
	raw, err := s.cfg.Telegram.Call(callCtx, m.Method, m.Params)
	s.cfg.Metrics.SendLatency.Observe(time.Since(start).Seconds())
	if paced(m.Method) && !refusesBot(err) {
		s.cfg.Limiter.MarkChat(callCtx, m.ChatID)
	}
	if err == nil {
		out.Status = storage.OutboxSent
		out.TelegramMessageID = messageID(raw)
		s.cfg.Metrics.MessagesSent.WithLabelValues("sent").Inc()
		return outcome{out: out}
	}
	out.Error = describe(err)
	if refusesBot(err) { // not the message's fault: it waits until Telegram takes the bot again
		s.trip(err)
		out.Status, out.RetryAt, out.CountAttempt = storage.OutboxPending, s.cfg.Now(), false
		return outcome{out: out}
	}
	kind, wait := Classify(err)
	switch kind {
	case ErrRateLimited:
		s.cfg.Metrics.TooManyRequest.Inc()
		s.cfg.Metrics.MessagesSent.WithLabelValues("rate_limited").Inc()
		s.cfg.Limiter.Penalize(callCtx, wait)
		out.Status, out.RetryAt, out.CountAttempt = storage.OutboxPending, s.cfg.Now().Add(wait), false
	case ErrForbidden:
		s.cfg.Metrics.MessagesSent.WithLabelValues("forbidden").Inc()
		out.Status = storage.OutboxFailed
		return outcome{out: out, chatID: m.ChatID, forbidden: true}
	case ErrRejected:
		if strings.Contains(out.Error, "message is not modified") {
			out.Status = storage.OutboxSent // harmless: the edit is already there
			return outcome{out: out}
		}
		s.cfg.Metrics.MessagesSent.WithLabelValues("failed").Inc()
		s.cfg.Logger.Warn("message rejected", "outbox_id", m.ID, "method", m.Method, "reason", out.Error)
		out.Status = storage.OutboxFailed
	default:
		if m.Attempts >= s.cfg.MaxAttempts {
			s.cfg.Metrics.MessagesSent.WithLabelValues("failed").Inc()
			s.cfg.Logger.Warn("message failed after retries", "outbox_id", m.ID, "attempts", m.Attempts, "reason", out.Error)
			out.Status = storage.OutboxFailed
			return outcome{out: out}
		}
		s.cfg.Metrics.MessagesSent.WithLabelValues("retry").Inc()
		out.Status, out.RetryAt = storage.OutboxPending, s.cfg.Now().Add(s.backoff(m.Attempts))
	}
	return outcome{out: out}
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
