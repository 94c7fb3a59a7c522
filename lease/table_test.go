package lease_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"suivi/lease"
	"suivi/storage/storagetest"
)

// The table lease: one holder at a time, renewals keep it, a crashed holder
// (never renews, never releases) loses it when it expires, and a release
// hands it over at once.
func TestTableLease(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	ctx := context.Background()
	ttl := 700 * time.Millisecond
	a := lease.NewTable(db, "poller", ttl, nil)
	b := lease.NewTable(db, "poller", ttl, nil)
	if _, err := a.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Acquire(ctx); err != nil {
		t.Fatalf("the holder acquiring again: %v", err)
	}
	if _, err := b.Acquire(ctx); !errors.Is(err, lease.ErrNotHeld) {
		t.Fatalf("second holder: %v, want ErrNotHeld", err)
	}
	for range 3 { // renewals past the first ttl keep the lease
		time.Sleep(ttl / 3)
		if err := a.Renew(ctx); err != nil {
			t.Fatalf("renew: %v", err)
		}
	}
	if _, err := b.Acquire(ctx); !errors.Is(err, lease.ErrNotHeld) {
		t.Fatalf("second holder while renewed: %v, want ErrNotHeld", err)
	}
	// a crashes: b takes over once the lease expired, and a learns it lost.
	waitUntil(t, "the crashed holder's lease to expire", func() bool {
		_, err := b.Acquire(ctx)
		return err == nil
	})
	if err := a.Renew(ctx); !errors.Is(err, lease.ErrLost) {
		t.Fatalf("the former holder renewing: %v, want ErrLost", err)
	}
	b.Release(ctx)
	if _, err := a.Acquire(ctx); err != nil {
		t.Fatalf("after a release: %v", err)
	}
	// Another lease name is independent.
	if _, err := lease.NewTable(db, "other", ttl, nil).Acquire(ctx); err != nil {
		t.Fatal(err)
	}
}
