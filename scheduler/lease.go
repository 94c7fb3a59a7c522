package scheduler

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/bsm/redislock"
	"github.com/redis/go-redis/v9"

	"suivi/storage"
)

// errNotLeader means another replica holds the lease; leader work is skipped.
var errNotLeader = errors.New("not the scheduler leader")

// errLeaseLost cancels leader work when the lease could not be renewed.
var errLeaseLost = errors.New("scheduler leader lease lost")

// leaser elects the one replica that plans. A new holder takes a fencing
// token from PostgreSQL (storage.TakeFence), so a former holder that lost the
// lease without noticing (a long pause, a partition) has its planning writes
// refused rather than interleaved with the new leader's.
type leaser interface {
	// acquire takes the lease or renews it, returning the fencing token, or
	// errNotLeader when another replica holds it.
	acquire(ctx context.Context) (int64, error)
	// renew extends a held lease; an error means it is lost.
	renew(ctx context.Context) error
	// release gives the lease up so another replica takes over at once.
	release(ctx context.Context)
}

// withLease runs fn as the leader, renewing the lease every third of its
// time-to-live while fn runs and cancelling fn's context if it is lost.
func (s *Scheduler) withLease(ctx context.Context, fn func(ctx context.Context, fence int64) error) error {
	fence, err := s.lease.acquire(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(s.cfg.LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if err := s.lease.renew(ctx); err != nil {
					s.log.Warn("leader lease lost", "error", err)
					cancel(errLeaseLost)
					return
				}
			}
		}
	}()
	err = fn(ctx, fence)
	if cause := context.Cause(ctx); errors.Is(cause, errLeaseLost) {
		return fmt.Errorf("%w: %w", errLeaseLost, err)
	}
	return err
}

// holderName identifies this replica in scheduler_state, for operators.
func holderName() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// redisLease is a redislock lease shared by every replica through Redis.
type redisLease struct {
	locker *redislock.Client
	key    string
	ttl    time.Duration
	db     *sql.DB
	name   string

	mu    sync.Mutex
	lock  *redislock.Lock
	fence int64
}

func newRedisLease(rdb *redis.Client, key string, ttl time.Duration, db *sql.DB) *redisLease {
	return &redisLease{locker: redislock.New(rdb), key: key, ttl: ttl, db: db, name: holderName()}
}

func (l *redisLease) acquire(ctx context.Context) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lock != nil {
		if err := l.lock.Refresh(ctx, l.ttl, nil); err == nil {
			return l.fence, nil
		}
		l.lock = nil
	}
	lock, err := l.locker.Obtain(ctx, l.key, l.ttl, nil)
	if errors.Is(err, redislock.ErrNotObtained) {
		return 0, errNotLeader
	}
	if err != nil {
		return 0, fmt.Errorf("obtain leader lease: %w", err)
	}
	fence, err := storage.TakeFence(ctx, l.db, l.name, time.Now())
	if err != nil {
		lock.Release(context.WithoutCancel(ctx))
		return 0, err
	}
	l.lock, l.fence = lock, fence
	return fence, nil
}

func (l *redisLease) renew(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lock == nil {
		return errLeaseLost
	}
	if err := l.lock.Refresh(ctx, l.ttl, nil); err != nil {
		l.lock = nil
		return fmt.Errorf("renew leader lease: %w", err)
	}
	return nil
}

func (l *redisLease) release(ctx context.Context) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lock != nil {
		l.lock.Release(ctx)
		l.lock = nil
	}
}

// advisoryLockKey is the session advisory lock of the planning leader when
// there is no Redis ("sched" in ASCII).
const advisoryLockKey = 0x7363686564

// advisoryLease holds a PostgreSQL session advisory lock on a dedicated
// connection: the lock lives exactly as long as that session.
type advisoryLease struct {
	db   *sql.DB
	name string

	mu    sync.Mutex
	conn  *sql.Conn
	fence int64
}

func newAdvisoryLease(db *sql.DB) *advisoryLease {
	return &advisoryLease{db: db, name: holderName()}
}

func (l *advisoryLease) acquire(ctx context.Context) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		if _, err := l.conn.ExecContext(ctx, `SELECT 1`); err == nil {
			return l.fence, nil
		}
		l.conn.Close()
		l.conn = nil
	}
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("leader lock connection: %w", err)
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, advisoryLockKey).Scan(&ok); err != nil {
		conn.Close()
		return 0, fmt.Errorf("take leader lock: %w", err)
	}
	if !ok {
		conn.Close()
		return 0, errNotLeader
	}
	fence, err := storage.TakeFence(ctx, l.db, l.name, time.Now())
	if err != nil {
		conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, advisoryLockKey)
		conn.Close()
		return 0, err
	}
	l.conn, l.fence = conn, fence
	return fence, nil
}

func (l *advisoryLease) renew(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		return errLeaseLost
	}
	if _, err := l.conn.ExecContext(ctx, `SELECT 1`); err != nil {
		l.conn.Close()
		l.conn = nil
		return fmt.Errorf("leader lock connection: %w", err)
	}
	return nil
}

func (l *advisoryLease) release(ctx context.Context) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, advisoryLockKey)
		l.conn.Close()
		l.conn = nil
	}
}
