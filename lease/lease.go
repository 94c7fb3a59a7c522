// Package lease elects one replica for a job that must run once (planning
// check-ins, polling Telegram): a Redis lock when Redis is configured, a
// PostgreSQL session advisory lock otherwise. A holder renews its lease every
// third of its time-to-live; a replica that dies stops renewing, and another
// takes over once the lease expires.
package lease

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"
)

// ErrNotHeld means another replica holds the lease.
var ErrNotHeld = errors.New("lease held by another replica")

// ErrLost cancels the holder's work when its lease could not be renewed.
var ErrLost = errors.New("lease lost")

// Lease is one replica's handle on a shared lease.
type Lease interface {
	// Acquire takes the lease or renews it when already held, returning the
	// fencing token taken when it was obtained, or ErrNotHeld.
	Acquire(ctx context.Context) (int64, error)
	// Renew extends a held lease; an error means it is lost.
	Renew(ctx context.Context) error
	// Release gives the lease up so another replica takes over at once.
	Release(ctx context.Context)
}

// Fence takes a new fencing token for holder when it obtains a lease, so a
// former holder that lost the lease without noticing (a long pause, a
// partition) can have its writes refused. Nil means no token (0).
type Fence func(ctx context.Context, holder string) (int64, error)

// Hold runs fn as the holder of l, renewing it every ttl/3 while fn runs and
// cancelling fn's context (cause ErrLost) if a renewal fails. It returns
// ErrNotHeld at once when another replica holds the lease, and an error
// wrapping ErrLost when fn ended because the lease was lost. Hold does not
// release the lease: the caller decides whether to keep it for next time.
func Hold(ctx context.Context, l Lease, ttl time.Duration, log *slog.Logger, fn func(ctx context.Context, fence int64) error) error {
	fence, err := l.Acquire(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if err := l.Renew(ctx); err != nil {
					if log != nil {
						log.Warn("lease lost", "err", err)
					}
					cancel(ErrLost)
					return
				}
			}
		}
	}()
	err = fn(ctx, fence)
	if cause := context.Cause(ctx); errors.Is(cause, ErrLost) {
		return fmt.Errorf("%w: %w", ErrLost, err)
	}
	return err
}

// HolderName identifies this replica, for operators reading who holds what.
func HolderName() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

func takeFence(ctx context.Context, f Fence, holder string) (int64, error) {
	if f == nil {
		return 0, nil
	}
	return f(ctx, holder)
}
