package lease

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Table is a lease kept as a row of the leases table, with its expiry on
// PostgreSQL's clock. It needs nothing but the database every replica
// already depends on, so an outage of Redis never leaves a job without a
// holder; and unlike a session advisory lock it expires when its holder's
// machine or network dies, not only when its connection closes.
type Table struct {
	db    *sql.DB
	key   string
	ttl   time.Duration
	fence Fence
	name  string

	mu    sync.Mutex
	held  bool
	token int64
}

// NewTable returns a lease named key that expires ttl after its last renewal.
func NewTable(db *sql.DB, key string, ttl time.Duration, fence Fence) *Table {
	return &Table{db: db, key: key, ttl: ttl, fence: fence, name: HolderName()}
}

// sqlTakeLease takes the row when it is free, expired or already ours, and
// reports whether it is ours now.
const sqlTakeLease = `
INSERT INTO leases (name, holder, expires_at)
VALUES ($1, $2, now() + $3 * interval '1 millisecond')
ON CONFLICT (name) DO UPDATE
SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
WHERE leases.holder = EXCLUDED.holder OR leases.expires_at < now()
RETURNING holder`

// Acquire implements Lease.
func (l *Table) Acquire(ctx context.Context) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var holder string
	err := l.db.QueryRowContext(ctx, sqlTakeLease, l.key, l.name, l.ttl.Milliseconds()).Scan(&holder)
	if errors.Is(err, sql.ErrNoRows) {
		l.held = false
		return 0, ErrNotHeld
	}
	if err != nil {
		return 0, fmt.Errorf("take lease %s: %w", l.key, err)
	}
	if l.held {
		return l.token, nil
	}
	token, err := takeFence(ctx, l.fence, l.name)
	if err != nil {
		l.release(ctx)
		return 0, err
	}
	l.held, l.token = true, token
	return token, nil
}

// Renew implements Lease: it extends the expiry while the row is still ours.
func (l *Table) Renew(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	res, err := l.db.ExecContext(ctx, `
		UPDATE leases SET expires_at = now() + $3 * interval '1 millisecond'
		WHERE name = $1 AND holder = $2 AND expires_at >= now()`, l.key, l.name, l.ttl.Milliseconds())
	if err != nil {
		return fmt.Errorf("renew lease %s: %w", l.key, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		l.held = false
		return ErrLost
	}
	return nil
}

// Release implements Lease.
func (l *Table) Release(ctx context.Context) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.release(ctx)
}

func (l *Table) release(ctx context.Context) {
	l.db.ExecContext(context.WithoutCancel(ctx), `DELETE FROM leases WHERE name = $1 AND holder = $2`, l.key, l.name)
	l.held = false
}
