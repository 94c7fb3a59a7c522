package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisDeadline bounds how long a send waits for a Redis call before it
// uses the local fallback; redisHungAfter is how long the call itself may
// take before Redis counts as failed (the breaker opens); redisCoolDown is
// how long the fallback is then used before Redis is probed again.
//
// The two deadlines differ on purpose. A call that misses the short one on
// a busy machine (this process descheduled for a few tens of milliseconds)
// still gets its answer soon after: that message alone takes the fallback,
// and sending stays on the shared pace. Only a Redis that refuses, errs or
// stays silent for redisHungAfter opens the breaker.
const (
	redisDeadline  = 50 * time.Millisecond
	redisHungAfter = time.Second
	redisCoolDown  = 5 * time.Second
)

type redisLimiter struct {
	cfg      LimitConfig
	rdb      *redis.Client
	prefix   string
	fallback Limiter
	log      *slog.Logger
	br       breaker

	mu        sync.Mutex
	pauseSeen time.Time // last time the shared pause key was read
	pause     time.Time
	slowUntil time.Time
}

// NewRedisLimiter paces sending across replicas sharing rdb. Keys start
// with prefix.
func NewRedisLimiter(cfg LimitConfig, rdb *redis.Client, prefix string, log *slog.Logger) Limiter {
	if cfg.FallbackShare <= 0 || cfg.FallbackShare > 1 {
		cfg.FallbackShare = DefaultFallbackShare
	}
	fb := cfg
	fb.Rate = cfg.Rate * cfg.FallbackShare
	return &redisLimiter{cfg: cfg, rdb: rdb, prefix: prefix,
		fallback: NewLocalLimiter(fb), log: log, br: breaker{cool: redisCoolDown}}
}

// redisResult is the outcome of one Redis call.
type redisResult[T any] struct {
	v   T
	err error
}

// startRedisCall runs one Redis call aside, for up to redisHungAfter, and
// has the breaker record its outcome however late it comes: an error or
// silence opens the breaker, a late answer does not. Nil means the breaker
// is open and Redis is not to be tried.
func startRedisCall[T any](l *redisLimiter, ctx context.Context, call func(context.Context) (T, error)) <-chan redisResult[T] {
	if !l.br.allow(time.Now()) {
		return nil
	}
	done := make(chan redisResult[T], 1)
	go func() {
		callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), redisHungAfter)
		defer cancel()
		v, err := call(callCtx)
		l.record(err)
		done <- redisResult[T]{v, err}
	}()
	return done
}

// redisCall runs one Redis call if the breaker allows it, waiting at most
// redisDeadline for its answer (errRedisSlow after that: the caller uses its
// local value, and the call still finishes aside).
func redisCall[T any](l *redisLimiter, ctx context.Context, call func(context.Context) (T, error)) (T, error) {
	var zero T
	done := startRedisCall(l, ctx, call)
	if done == nil {
		return zero, errRedisOpen
	}
	if r, ok := within(done, redisDeadline); ok {
		return r.v, r.err
	}
	return zero, errRedisSlow
}

// within waits up to d for a call's outcome.
func within[T any](done <-chan redisResult[T], d time.Duration) (redisResult[T], bool) {
	wait := time.NewTimer(d)
	defer wait.Stop()
	select {
	case r := <-done:
		return r, true
	case <-wait.C:
		return redisResult[T]{}, false
	}
}

// record tells the breaker how a Redis call ended, logging when it opens or
// closes.
func (l *redisLimiter) record(err error) {
	if opened, closed := l.br.record(time.Now(), err); opened {
		l.log.Warn("redis unavailable, sending at the local fallback rate",
			"err", err, "fallback_rate", l.fallback.Rate(), "retry_in", redisCoolDown)
	} else if closed {
		l.log.Info("redis back, sending at the shared rate")
	}
}

var errRedisSlow = fmt.Errorf("redis gave no answer within %v", redisDeadline)

var errRedisLate = fmt.Errorf("redis answered after %v", redisDeadline)

var errRedisOpen = fmt.Errorf("redis skipped after a recent failure")

// WaitGlobal takes the next send slot shared by every replica at the
// moment the caller leaves: the caller must make its call at once.
func (l *redisLimiter) WaitGlobal(ctx context.Context) error {
	if l.cfg.Rate <= 0 {
		return nil
	}
	for {
		if err := sleepUntil(ctx, l.PausedUntil(ctx)); err != nil {
			return err
		}
		interval := time.Duration(float64(time.Second) / l.sharedRate())
		wait, err := l.slot(ctx, interval)
		if errors.Is(err, errRedisLate) {
			continue // that slot is stale now: take a fresh one
		}
		if err != nil {
			return l.fallback.WaitGlobal(ctx)
		}
		if wait <= 0 {
			return ctx.Err()
		}
		if err := sleepFor(ctx, time.Duration(wait)*time.Microsecond); err != nil {
			return err
		}
	}
}

// slot asks Redis for the next shared send slot. When the answer misses
// redisDeadline the caller neither sends on the fallback (the shared pace
// may still be in use by every other sender, and both together would
// exceed the limit) nor on that slot once it comes (stale by then): it
// waits for the call's outcome, bounded by redisHungAfter. A late answer
// gives errRedisLate (take a fresh slot); an error or silence has opened the
// breaker, and the fallback is used from then on.
func (l *redisLimiter) slot(ctx context.Context, interval time.Duration) (int64, error) {
	done := startRedisCall(l, ctx, func(c context.Context) (int64, error) {
		return takeSlot.Run(c, l.rdb, []string{l.prefix + "send:slot"},
			interval.Microseconds(), slotTolerance.Microseconds()).Int64()
	})
	if done == nil {
		return 0, errRedisOpen
	}
	if r, ok := within(done, redisDeadline); ok {
		return r.v, r.err
	}
	select {
	case r := <-done:
		if r.err != nil {
			return 0, r.err
		}
		return 0, errRedisLate
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// sharedRate is the rate all replicas share, halved for a while after a 429.
func (l *redisLimiter) sharedRate() float64 {
	r := l.cfg.Rate * rateHeadroom
	l.mu.Lock()
	defer l.mu.Unlock()
	if time.Now().Before(l.slowUntil) {
		r *= slowFactor
	}
	return r
}

func (l *redisLimiter) Rate() float64 {
	switch {
	case l.cfg.Rate <= 0:
		return 0
	case l.br.isOpen():
		return l.fallback.Rate()
	}
	return l.sharedRate()
}

// takeSlot gives the next send slot on Redis's clock, shared by every
// replica, to a caller about to send: it returns 0 when the caller may go
// now (and moves the slot one interval on), or how many microseconds to wait
// before asking again. A slot is taken when the caller leaves, not reserved
// ahead, so a caller that wakes late moves the next slot back rather than
// leaving right before it; a slot is never in the past, so there is no burst
// after idle time. ARGV: interval, tolerance (µs).
var takeSlot = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < slot - tonumber(ARGV[2]) then return slot - tonumber(ARGV[2]) - now end
if slot < now then slot = now end
redis.call('SET', KEYS[1], slot + interval, 'PX', math.ceil(interval / 1000) + 1000)
return 0
`)

// PausedUntil honours a pause any replica set after a 429; the shared key is
// read at most four times a second.
func (l *redisLimiter) PausedUntil(ctx context.Context) time.Time {
	l.mu.Lock()
	stale := time.Since(l.pauseSeen) > 250*time.Millisecond
	if stale {
		l.pauseSeen = time.Now()
	}
	l.mu.Unlock()
	if stale {
		ttl, err := redisCall(l, ctx, func(c context.Context) (time.Duration, error) {
			return l.rdb.PTTL(c, l.prefix+"send:pause").Result()
		})
		if err == nil && ttl > 0 {
			l.mu.Lock()
			if until := time.Now().Add(ttl); until.After(l.pause) {
				l.pause = until
			}
			l.mu.Unlock()
		}
	}
	l.mu.Lock()
	pause := l.pause
	l.mu.Unlock()
	if fb := l.fallback.PausedUntil(ctx); fb.After(pause) {
		pause = fb
	}
	return pause
}

// ChatWaits reads every chat's shared interval in one round trip and takes
// the later of it and the local one, which covers messages sent while Redis
// did not answer.
func (l *redisLimiter) ChatWaits(ctx context.Context, chatIDs []int64) []time.Duration {
	waits := l.fallback.ChatWaits(ctx, chatIDs)
	if l.cfg.ChatInterval <= 0 || len(chatIDs) == 0 {
		return waits
	}
	ttls, err := redisCall(l, ctx, func(c context.Context) ([]time.Duration, error) {
		cmds, err := l.rdb.Pipelined(c, func(p redis.Pipeliner) error {
			for _, id := range chatIDs {
				p.PTTL(c, l.chatKey(id))
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		out := make([]time.Duration, len(cmds))
		for i, cmd := range cmds {
			out[i] = cmd.(*redis.DurationCmd).Val()
		}
		return out, nil
	})
	if err != nil {
		return waits
	}
	for i, ttl := range ttls {
		waits[i] = max(waits[i], ttl)
	}
	return waits
}

func (l *redisLimiter) MarkChat(ctx context.Context, chatID int64) {
	if l.cfg.ChatInterval <= 0 {
		return
	}
	l.fallback.MarkChat(ctx, chatID)
	redisCall(l, ctx, func(c context.Context) (string, error) {
		return l.rdb.Set(c, l.chatKey(chatID), 1, l.cfg.ChatInterval).Result()
	})
}

func (l *redisLimiter) Penalize(ctx context.Context, wait time.Duration) {
	l.fallback.Penalize(ctx, wait)
	l.mu.Lock()
	l.pause = time.Now().Add(wait)
	l.slowUntil = time.Now().Add(wait + slowFor)
	l.mu.Unlock()
	redisCall(l, ctx, func(c context.Context) (string, error) {
		return l.rdb.Set(c, l.prefix+"send:pause", 1, wait).Result()
	})
}

func (l *redisLimiter) chatKey(chatID int64) string {
	return l.prefix + "send:chat:" + itoa(chatID)
}
