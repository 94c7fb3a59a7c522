package lease

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
)

// Advisory holds a PostgreSQL session advisory lock on a dedicated
// connection: the lock lives exactly as long as that session, so a replica
// that dies loses it when its connection drops.
//
// The connection never goes back to the pool while it may still hold the
// lock: a pooled session holding it would keep every replica from leading
// (this one included, since the lease no longer knows that session). On any
// doubt (a failed unlock, a cancelled context) it is discarded instead.
type Advisory struct {
	db    *sql.DB
	key   int64
	fence Fence
	name  string

	mu    sync.Mutex
	conn  *sql.Conn
	token int64
}

// NewAdvisory returns a lease on the advisory lock key.
func NewAdvisory(db *sql.DB, key int64, fence Fence) *Advisory {
	return &Advisory{db: db, key: key, fence: fence, name: HolderName()}
}

// Acquire implements Lease.
func (l *Advisory) Acquire(ctx context.Context) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		if _, err := l.conn.ExecContext(ctx, `SELECT 1`); err == nil {
			return l.token, nil
		}
		discard(l.conn)
		l.conn = nil
	}
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("lease connection: %w", err)
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, l.key).Scan(&ok); err != nil {
		discard(conn) // the server may have granted it before the error
		return 0, fmt.Errorf("take advisory lock: %w", err)
	}
	if !ok {
		conn.Close()
		return 0, ErrNotHeld
	}
	token, err := takeFence(ctx, l.fence, l.name)
	if err != nil {
		discard(conn)
		return 0, err
	}
	l.conn, l.token = conn, token
	return token, nil
}

// Renew implements Lease: the lock holds as long as the session is alive.
func (l *Advisory) Renew(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		return ErrLost
	}
	if _, err := l.conn.ExecContext(ctx, `SELECT 1`); err != nil {
		discard(l.conn)
		l.conn = nil
		return fmt.Errorf("lease connection: %w", err)
	}
	return nil
}

// Release implements Lease. The connection goes back to the pool only when
// the server confirmed the unlock.
func (l *Advisory) Release(ctx context.Context) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		return
	}
	var unlocked bool
	err := l.conn.QueryRowContext(ctx, `SELECT pg_advisory_unlock($1)`, l.key).Scan(&unlocked)
	if err == nil && unlocked {
		l.conn.Close()
	} else {
		discard(l.conn)
	}
	l.conn = nil
}

// discard closes conn's session instead of returning it to the pool, which
// ends every session lock it holds.
func discard(conn *sql.Conn) {
	conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}
