package lease

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bsm/redislock"
	"github.com/redis/go-redis/v9"
)

// Redis is a redislock lease shared by every replica through one Redis key.
type Redis struct {
	locker *redislock.Client
	key    string
	ttl    time.Duration
	fence  Fence
	name   string

	mu    sync.Mutex
	lock  *redislock.Lock
	token int64
}

// NewRedis returns a lease on key that expires ttl after its last renewal.
func NewRedis(rdb *redis.Client, key string, ttl time.Duration, fence Fence) *Redis {
	return &Redis{locker: redislock.New(rdb), key: key, ttl: ttl, fence: fence, name: HolderName()}
}

// Acquire implements Lease.
func (l *Redis) Acquire(ctx context.Context) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lock != nil {
		if err := l.lock.Refresh(ctx, l.ttl, nil); err == nil {
			return l.token, nil
		}
		l.lock = nil
	}
	lock, err := l.locker.Obtain(ctx, l.key, l.ttl, nil)
	if errors.Is(err, redislock.ErrNotObtained) {
		return 0, ErrNotHeld
	}
	if err != nil {
		return 0, fmt.Errorf("obtain lease %s: %w", l.key, err)
	}
	token, err := takeFence(ctx, l.fence, l.name)
	if err != nil {
		lock.Release(context.WithoutCancel(ctx))
		return 0, err
	}
	l.lock, l.token = lock, token
	return token, nil
}

// Renew implements Lease.
func (l *Redis) Renew(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lock == nil {
		return ErrLost
	}
	if err := l.lock.Refresh(ctx, l.ttl, nil); err != nil {
		l.lock = nil
		return fmt.Errorf("renew lease %s: %w", l.key, err)
	}
	return nil
}

// Release implements Lease.
func (l *Redis) Release(ctx context.Context) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lock != nil {
		l.lock.Release(ctx)
		l.lock = nil
	}
}
