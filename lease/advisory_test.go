package lease_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"suivi/lease"
	"suivi/storage"
	"suivi/storage/storagetest"
)

const testKey = 0x7465737431

// heldBy counts the sessions holding the advisory lock key.
func heldBy(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	err := db.QueryRow(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND ((classid::bigint << 32) | objid::bigint) = $1`, int64(testKey)).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A lease whose release or acquisition fails half-way (a cancelled context,
// a fencing token that could not be taken) must not hand the locked session
// back to the pool: the lock would stay held by an idle pooled connection,
// and no replica could lead again.
func TestAdvisoryLeaseNeverPoolsALockedConnection(t *testing.T) {
	failingFence := func(context.Context, string) (int64, error) { return 0, errors.New("fence table unavailable") }
	for _, c := range []struct {
		name string
		run  func(t *testing.T, db *sql.DB)
	}{
		{"release with a cancelled context", func(t *testing.T, db *sql.DB) {
			l := lease.NewAdvisory(db, testKey, nil)
			if _, err := l.Acquire(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n := heldBy(t, db); n != 1 {
				t.Fatalf("%d sessions hold the lock after acquire, want 1", n)
			}
			cancelled, cancel := context.WithCancel(context.Background())
			cancel()
			l.Release(cancelled)
		}},
		{"fencing token refused", func(t *testing.T, db *sql.DB) {
			l := lease.NewAdvisory(db, testKey, failingFence)
			if _, err := l.Acquire(context.Background()); err == nil {
				t.Fatal("acquire succeeded without its fencing token")
			}
		}},
		{"session killed while held", func(t *testing.T, db *sql.DB) {
			l := lease.NewAdvisory(db, testKey, nil)
			if _, err := l.Acquire(context.Background()); err != nil {
				t.Fatal(err)
			}
			db.Exec(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1::bigint::bit(32)::int::oid`, int64(testKey)&0xffffffff)
			waitUntil(t, "the renewal to notice", func() bool { return l.Renew(context.Background()) != nil })
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, _ := storagetest.NewDatabase(t)
			db.SetMaxOpenConns(4)
			c.run(t, db)
			waitUntil(t, "the lock to be freed", func() bool { return heldBy(t, db) == 0 })
			// Every pooled connection is lock-free: a new lease on the same pool gets it.
			l2 := lease.NewAdvisory(db, testKey, nil)
			if _, err := l2.Acquire(context.Background()); err != nil {
				t.Fatalf("a new holder could not take the lock: %v", err)
			}
			l2.Release(context.Background())
		})
	}
}

func TestAdvisoryLeaseIsExclusiveAndReleased(t *testing.T) {
	db, dsn := storagetest.NewDatabase(t)
	db2, err := storage.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	a, b := lease.NewAdvisory(db, testKey, nil), lease.NewAdvisory(db2, testKey, nil)
	if _, err := a.Acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Acquire(context.Background()); !errors.Is(err, lease.ErrNotHeld) {
		t.Fatalf("second holder: %v, want ErrNotHeld", err)
	}
	a.Release(context.Background())
	if _, err := b.Acquire(context.Background()); err != nil {
		t.Fatalf("after release: %v", err)
	}
	b.Release(context.Background())
	if n := heldBy(t, db); n != 0 {
		t.Fatalf("%d sessions still hold the lock", n)
	}
}
