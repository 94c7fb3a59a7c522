package lease_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"suivi/lease"
	"suivi/storage/storagetest"
)

// A holder that dies without releasing (a crash) keeps the lease only until
// its time-to-live ends; then another replica takes it.
func TestRedisLeaseExpiresAfterACrash(t *testing.T) {
	rdb, prefix := storagetest.NewRedis(t)
	ttl := 600 * time.Millisecond
	a := lease.NewRedis(rdb, prefix+"leader", ttl, nil)
	b := lease.NewRedis(rdb, prefix+"leader", ttl, nil)
	if _, err := a.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Acquire(context.Background()); !errors.Is(err, lease.ErrNotHeld) {
		t.Fatalf("second holder: %v, want ErrNotHeld", err)
	}
	// a never releases nor renews: b gets the lease once it expired.
	waitUntil(t, "the crashed holder's lease to expire", func() bool {
		_, err := b.Acquire(context.Background())
		return err == nil
	})
}

// Hold cancels the holder's work when a renewal fails, with ErrLost.
func TestHoldCancelsWorkWhenTheLeaseIsLost(t *testing.T) {
	rdb, prefix := storagetest.NewRedis(t)
	ttl := 300 * time.Millisecond
	l := lease.NewRedis(rdb, prefix+"leader", ttl, nil)
	err := lease.Hold(context.Background(), l, ttl, nil, func(ctx context.Context, _ int64) error {
		rdb.Del(context.Background(), prefix+"leader") // someone else's now, as after a long pause
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(15 * time.Second):
			return errors.New("work not cancelled")
		}
	})
	if !errors.Is(err, lease.ErrLost) {
		t.Fatalf("Hold: %v, want ErrLost", err)
	}
}
