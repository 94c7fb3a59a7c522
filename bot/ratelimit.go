package bot

import (
	"context"
	"sync"
	"time"
)

// rateHeadroom keeps the paced rate under Telegram's limit, so that jitter
// never packs one message too many into a one-second window: a send leaves
// on its slot, but reaches Telegram after its HTTP call, and on a busy
// machine one call arriving d later than the one 30 slots after it puts 31
// in a second unless 30 slots span 1 s + d. At 0.95, 30 slots span 1.053 s:
// 50 ms of jitter is absorbed (at 0.98 only 20 ms was, and three replicas on
// two busy cores drew a 429 every few hundred messages).
const rateHeadroom = 0.95

// slowFactor and slowFor: after a 429 the global rate is halved for a while.
const (
	slowFactor = 0.5
	slowFor    = 30 * time.Second
)

// DefaultFallbackShare is the share of the rate one replica sends at while
// Redis does not answer: 0.25 is safe for up to four replicas.
const DefaultFallbackShare = 0.25

// Limiter paces sending: a global rate shared by every replica and a minimum
// interval between two messages to one chat.
type Limiter interface {
	// WaitGlobal blocks until one more message may be sent in all.
	WaitGlobal(ctx context.Context) error
	// ChatWaits tells, for each chat, how long until the interval since its
	// last message passes; 0 when a message may go now.
	ChatWaits(ctx context.Context, chatIDs []int64) []time.Duration
	// MarkChat starts the chat's interval; called when Telegram answered.
	MarkChat(ctx context.Context, chatID int64)
	// Penalize pauses all sending for wait and slows the rate (after a 429).
	Penalize(ctx context.Context, wait time.Duration)
	// PausedUntil is when the pause after a 429 ends (zero or past: none).
	PausedUntil(ctx context.Context) time.Time
	// Rate is the paced rate now, in messages per second (0: unlimited).
	Rate() float64
}

// LimitConfig sets the pace. A zero Rate turns both limits off.
type LimitConfig struct {
	Rate         float64       // messages per second in all
	ChatInterval time.Duration // between two messages to one chat
	// FallbackShare is the share of Rate one replica takes while Redis does
	// not answer (0: DefaultFallbackShare); safe for up to 1/share replicas.
	FallbackShare float64
}

// slotTolerance is how much earlier than its slot a send may leave, to
// absorb timer and round-trip delays without losing pace. A send that leaves
// late moves the next slots back instead: there is no catching up, so two
// slots' worth never leave inside one interval, even on a busy machine. Any
// 30 sends then span at least 30 intervals less this tolerance, about 18 ms
// more than a second at the default rate, which is the room left for the
// network's jitter.
const slotTolerance = 2 * time.Millisecond

// localLimiter paces one process.
type localLimiter struct {
	cfg LimitConfig
	now func() time.Time

	mu         sync.Mutex
	next       time.Time           // the next send slot
	chats      map[int64]time.Time // chat → earliest next send
	pauseUntil time.Time
	slowUntil  time.Time
	swept      time.Time
}

// NewLocalLimiter paces sending within this process only.
func NewLocalLimiter(cfg LimitConfig) Limiter {
	return &localLimiter{cfg: cfg, chats: map[int64]time.Time{}, now: time.Now}
}

// WaitGlobal takes the next send slot at the moment the caller leaves: the
// caller must make its call at once.
func (l *localLimiter) WaitGlobal(ctx context.Context) error {
	if l.cfg.Rate <= 0 {
		return nil
	}
	for {
		if err := sleepUntil(ctx, l.PausedUntil(ctx)); err != nil {
			return err
		}
		l.mu.Lock()
		now := l.now()
		wait := l.next.Add(-slotTolerance).Sub(now)
		if wait <= 0 {
			l.next = later(l.next, now).Add(time.Duration(float64(time.Second) / l.rateLocked()))
			l.mu.Unlock()
			return ctx.Err()
		}
		l.mu.Unlock()
		if err := sleepFor(ctx, wait); err != nil {
			return err
		}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (l *localLimiter) PausedUntil(context.Context) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pauseUntil
}

// rateLocked is the paced rate, halved for a while after a 429.
func (l *localLimiter) rateLocked() float64 {
	r := l.cfg.Rate * rateHeadroom
	if l.now().Before(l.slowUntil) {
		r *= slowFactor
	}
	return r
}

func (l *localLimiter) Rate() float64 {
	if l.cfg.Rate <= 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rateLocked()
}

func (l *localLimiter) ChatWaits(_ context.Context, chatIDs []int64) []time.Duration {
	waits := make([]time.Duration, len(chatIDs))
	if l.cfg.ChatInterval <= 0 {
		return waits
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, id := range chatIDs {
		waits[i] = max(0, l.chats[id].Sub(now))
	}
	return waits
}

func (l *localLimiter) MarkChat(_ context.Context, chatID int64) {
	if l.cfg.ChatInterval <= 0 {
		return
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.chats[chatID] = now.Add(l.cfg.ChatInterval)
	if now.Sub(l.swept) > time.Minute { // forget chats whose interval passed
		for id, t := range l.chats {
			if t.Before(now) {
				delete(l.chats, id)
			}
		}
		l.swept = now
	}
}

func (l *localLimiter) Penalize(_ context.Context, wait time.Duration) {
	if l.cfg.Rate <= 0 {
		return
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := now.Add(wait); until.After(l.pauseUntil) {
		l.pauseUntil = until
	}
	l.slowUntil = now.Add(wait + slowFor)
}

func sleepUntil(ctx context.Context, t time.Time) error {
	return sleepFor(ctx, time.Until(t))
}

func sleepFor(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
