package bot

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// rateHeadroom keeps the paced rate just under Telegram's limit, so that
// network jitter never packs one message too many into a one-second window.
const rateHeadroom = 0.98

// slowFactor and slowFor: after a 429 the global rate is halved for a while.
const (
	slowFactor = 0.5
	slowFor    = 30 * time.Second
)

// Limiter paces sending: a global rate shared by every replica and a minimum
// interval between two messages to one chat.
type Limiter interface {
	// WaitGlobal blocks until one more message may be sent in all.
	WaitGlobal(ctx context.Context) error
	// WaitChat blocks until the chat's interval since its last message passed.
	WaitChat(ctx context.Context, chatID int64) error
	// MarkChat starts the chat's interval; called when Telegram answered.
	MarkChat(ctx context.Context, chatID int64)
	// Penalize pauses all sending for wait and slows the rate (after a 429).
	Penalize(ctx context.Context, wait time.Duration)
}

// LimitConfig sets the pace. A zero Rate turns both limits off.
type LimitConfig struct {
	Rate         float64       // messages per second in all
	ChatInterval time.Duration // between two messages to one chat
}

// localLimiter paces one process.
type localLimiter struct {
	cfg    LimitConfig
	global *rate.Limiter
	now    func() time.Time

	mu         sync.Mutex
	chats      map[int64]time.Time // chat → earliest next send
	pauseUntil time.Time
	slowUntil  time.Time
	swept      time.Time
}

// NewLocalLimiter paces sending within this process only.
func NewLocalLimiter(cfg LimitConfig) Limiter {
	l := &localLimiter{cfg: cfg, chats: map[int64]time.Time{}, now: time.Now}
	if cfg.Rate > 0 {
		l.global = rate.NewLimiter(rate.Limit(cfg.Rate*rateHeadroom), 1)
	}
	return l
}

func (l *localLimiter) WaitGlobal(ctx context.Context) error {
	if l.global == nil {
		return nil
	}
	if err := l.waitPause(ctx); err != nil {
		return err
	}
	return l.global.Wait(ctx)
}

func (l *localLimiter) waitPause(ctx context.Context) error {
	l.mu.Lock()
	until := l.pauseUntil
	if !l.slowUntil.IsZero() && l.now().After(l.slowUntil) {
		l.slowUntil = time.Time{}
		l.global.SetLimit(rate.Limit(l.cfg.Rate * rateHeadroom))
	}
	l.mu.Unlock()
	return sleepUntil(ctx, until)
}

func (l *localLimiter) WaitChat(ctx context.Context, chatID int64) error {
	if l.cfg.ChatInterval <= 0 {
		return nil
	}
	l.mu.Lock()
	next := l.chats[chatID]
	l.mu.Unlock()
	return sleepUntil(ctx, next)
}

func (l *localLimiter) MarkChat(ctx context.Context, chatID int64) {
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

func (l *localLimiter) Penalize(ctx context.Context, wait time.Duration) {
	if l.global == nil {
		return
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := now.Add(wait); until.After(l.pauseUntil) {
		l.pauseUntil = until
	}
	l.slowUntil = now.Add(wait + slowFor)
	l.global.SetLimit(rate.Limit(l.cfg.Rate * rateHeadroom * slowFactor))
}

// redisLimiter paces every replica together through Redis. When Redis does
// not answer it falls back to a local limiter at a quarter of the rate, safe
// for up to four replicas, so sending goes on and nothing is lost.
type redisLimiter struct {
	cfg      LimitConfig
	rdb      *redis.Client
	prefix   string
	fallback Limiter
	log      *slog.Logger

	mu        sync.Mutex
	degraded  bool
	pauseSeen time.Time // last time the shared pause key was read
	pause     time.Time
	slowUntil time.Time
}

// fallbackShare is the share of the rate one replica takes without Redis.
const fallbackShare = 0.25

// NewRedisLimiter paces sending across replicas sharing rdb. Keys start
// with prefix.
func NewRedisLimiter(cfg LimitConfig, rdb *redis.Client, prefix string, log *slog.Logger) Limiter {
	fb := cfg
	fb.Rate = cfg.Rate * fallbackShare
	return &redisLimiter{cfg: cfg, rdb: rdb, prefix: prefix,
		fallback: NewLocalLimiter(fb), log: log}
}

func (l *redisLimiter) redisFailed(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.degraded {
		l.log.Warn("redis unavailable, sending at the local fallback rate", "err", err)
	}
	l.degraded = true
}

func (l *redisLimiter) redisOK() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.degraded {
		l.log.Info("redis back, sending at the shared rate")
	}
	l.degraded = false
}

func (l *redisLimiter) WaitGlobal(ctx context.Context) error {
	if l.cfg.Rate <= 0 {
		return nil
	}
	if err := l.waitSharedPause(ctx); err != nil {
		return err
	}
	r := l.cfg.Rate * rateHeadroom
	l.mu.Lock()
	if time.Now().Before(l.slowUntil) {
		r *= slowFactor
	}
	l.mu.Unlock()
	interval := time.Duration(float64(time.Second) / r)
	wait, err := reserveSlot.Run(ctx, l.rdb, []string{l.prefix + "send:slot"}, interval.Microseconds()).Int64()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		l.redisFailed(err)
		return l.fallback.WaitGlobal(ctx)
	}
	l.redisOK()
	return sleepFor(ctx, time.Duration(wait)*time.Microsecond)
}

// reserveSlot hands out send slots one interval apart on Redis's clock,
// shared by every replica: it returns how long the caller waits for its slot
// (in microseconds). Slots are fixed in advance, so a caller waking a little
// late does not push the next slots back, and the paced rate holds exactly;
// a slot is never given in the past, so there is no burst after idle time.
var reserveSlot = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now then slot = now end
redis.call('SET', KEYS[1], slot + interval, 'PX', math.ceil(interval / 1000) + 1000)
return slot - now
`)

// waitSharedPause honours a pause any replica set after a 429; the key is
// read at most four times a second.
func (l *redisLimiter) waitSharedPause(ctx context.Context) error {
	l.mu.Lock()
	stale := time.Since(l.pauseSeen) > 250*time.Millisecond
	pause := l.pause
	l.mu.Unlock()
	if stale {
		ttl, err := l.rdb.PTTL(ctx, l.prefix+"send:pause").Result()
		if err != nil {
			l.redisFailed(err)
		} else {
			l.mu.Lock()
			l.pauseSeen = time.Now()
			if ttl > 0 {
				l.pause = time.Now().Add(ttl)
				pause = l.pause
			}
			l.mu.Unlock()
		}
	}
	return sleepUntil(ctx, pause)
}

func (l *redisLimiter) WaitChat(ctx context.Context, chatID int64) error {
	if l.cfg.ChatInterval <= 0 {
		return nil
	}
	for {
		ttl, err := l.rdb.PTTL(ctx, l.chatKey(chatID)).Result()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			l.redisFailed(err)
			return l.fallback.WaitChat(ctx, chatID)
		}
		if ttl <= 0 {
			return nil
		}
		if err := sleepFor(ctx, ttl); err != nil {
			return err
		}
	}
}

func (l *redisLimiter) MarkChat(ctx context.Context, chatID int64) {
	if l.cfg.ChatInterval <= 0 {
		return
	}
	l.fallback.MarkChat(ctx, chatID)
	if err := l.rdb.Set(ctx, l.chatKey(chatID), 1, l.cfg.ChatInterval).Err(); err != nil {
		l.redisFailed(err)
	}
}

func (l *redisLimiter) Penalize(ctx context.Context, wait time.Duration) {
	l.fallback.Penalize(ctx, wait)
	l.mu.Lock()
	l.pause = time.Now().Add(wait)
	l.slowUntil = time.Now().Add(wait + slowFor)
	l.mu.Unlock()
	if err := l.rdb.Set(ctx, l.prefix+"send:pause", 1, wait).Err(); err != nil {
		l.redisFailed(err)
	}
}

func (l *redisLimiter) chatKey(chatID int64) string {
	return l.prefix + "send:chat:" + itoa(chatID)
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
