package scheduler

import (
	"context"
	"database/sql"
	"time"

	"github.com/redis/go-redis/v9"

	"suivi/lease"
	"suivi/storage"
)

// errNotLeader means another replica holds the lease; leader work is skipped.
var errNotLeader = lease.ErrNotHeld

// leaser elects the one replica that plans. A new holder takes a fencing
// token from PostgreSQL (storage.TakeFence), so a former holder that lost the
// lease without noticing (a long pause, a partition) has its planning writes
// refused rather than interleaved with the new leader's.
type leaser = lease.Lease

// planningFence takes the scheduler's fencing token when a replica leads.
func planningFence(db *sql.DB) lease.Fence {
	return func(ctx context.Context, holder string) (int64, error) {
		return storage.TakeFence(ctx, db, holder, time.Now())
	}
}

// withLease runs fn as the leader, renewing the lease every third of its
// time-to-live while fn runs and cancelling fn's context if it is lost.
func (s *Scheduler) withLease(ctx context.Context, fn func(ctx context.Context, fence int64) error) error {
	return lease.Hold(ctx, s.lease, s.cfg.LeaseTTL, s.log, fn)
}

func newRedisLease(rdb *redis.Client, key string, ttl time.Duration, db *sql.DB) leaser {
	return lease.NewRedis(rdb, key, ttl, planningFence(db))
}

// advisoryLockKey is the session advisory lock of the planning leader when
// there is no Redis ("sched" in ASCII).
const advisoryLockKey = 0x7363686564

func newAdvisoryLease(db *sql.DB) leaser {
	return lease.NewAdvisory(db, advisoryLockKey, planningFence(db))
}
