// Package storagetest gives tests a fresh, migrated PostgreSQL database and a
// Redis key prefix of their own. A missing service fails the test with the
// command that starts it; nothing is skipped.
package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"

	"suivi/storage"
)

// DefaultAdminURL is the server tests connect to unless SUIVI_TEST_DATABASE_URL is set.
const DefaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// DefaultRedisURL is the Redis tests use unless SUIVI_TEST_REDIS_URL is set.
const DefaultRedisURL = "redis://127.0.0.1:6379/0"

const startPostgres = "start PostgreSQL on 127.0.0.1:5432 (for example: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start), or set SUIVI_TEST_DATABASE_URL"

var templateOnce sync.Once
var templateErr error

// AdminURL is the URL of the server's maintenance database for tests.
func AdminURL() string {
	if v := os.Getenv("SUIVI_TEST_DATABASE_URL"); v != "" {
		return v
	}
	return DefaultAdminURL
}

// NewDatabase creates a fresh database cloned from a migrated template and
// drops it when the test ends. It returns the open handle and its URL.
func NewDatabase(tb testing.TB) (*sql.DB, string) {
	tb.Helper()
	return newDatabase(tb, true)
}

// NewEmptyDatabase creates a database with no schema, for migration tests.
func NewEmptyDatabase(tb testing.TB) (*sql.DB, string) {
	tb.Helper()
	return newDatabase(tb, false)
}

func newDatabase(tb testing.TB, migrated bool) (*sql.DB, string) {
	tb.Helper()
	ctx := context.Background()
	admin, err := sql.Open("postgres", AdminURL())
	if err != nil {
		tb.Fatalf("open PostgreSQL: %v", err)
	}
	defer admin.Close()
	if err := admin.PingContext(ctx); err != nil {
		tb.Fatalf("PostgreSQL is not reachable at %s: %v; %s", redact(AdminURL()), err, startPostgres)
	}
	create := `CREATE DATABASE %s`
	if migrated {
		tmpl := templateName()
		templateOnce.Do(func() { templateErr = ensureTemplate(ctx, admin, tmpl) })
		if templateErr != nil {
			tb.Fatalf("prepare template database: %v", templateErr)
		}
		create += ` TEMPLATE ` + pq.QuoteIdentifier(tmpl)
	}
	name := "suivi_test_" + randomHex(6)
	if _, err := admin.ExecContext(ctx, fmt.Sprintf(create, pq.QuoteIdentifier(name))); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	dsn := withDatabase(AdminURL(), name)
	db, err := storage.Open(ctx, dsn)
	if err != nil {
		tb.Fatalf("open test database: %v", err)
	}
	tb.Cleanup(func() {
		db.Close()
		dropDatabase(name)
	})
	return db, dsn
}

// templateName changes with the schema so a stale template is never used.
func templateName() string {
	ms, _ := storage.Migrations()
	h := uint32(2166136261)
	for _, m := range ms {
		for i := 0; i < len(m.SQL); i++ {
			h = (h ^ uint32(m.SQL[i])) * 16777619
		}
	}
	return fmt.Sprintf("suivi_template_%08x", h)
}

func ensureTemplate(ctx context.Context, admin *sql.DB, name string) error {
	conn, err := admin.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// Serialise template creation across test packages running in parallel.
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7375697600)`); err != nil {
		return err
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(7375697600)`)
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	building := name + "_build"
	conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(building))
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(building)); err != nil {
		return err
	}
	db, err := storage.Open(ctx, withDatabase(AdminURL(), building))
	if err != nil {
		return err
	}
	_, err = storage.Migrate(ctx, db)
	db.Close()
	if err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	_, err = conn.ExecContext(ctx, `ALTER DATABASE `+pq.QuoteIdentifier(building)+` RENAME TO `+pq.QuoteIdentifier(name))
	return err
}

func dropDatabase(name string) {
	admin, err := sql.Open("postgres", AdminURL())
	if err != nil {
		return
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(name)+` WITH (FORCE)`)
}

func withDatabase(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + name
	return u.String()
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "the configured server"
	}
	return u.Redacted()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// RedisURL is the Redis server tests use.
func RedisURL() string {
	if v := os.Getenv("SUIVI_TEST_REDIS_URL"); v != "" {
		return v
	}
	return DefaultRedisURL
}

// NewRedis connects to the test Redis and returns a client and a key prefix
// unique to this test, whose keys are deleted when the test ends.
func NewRedis(tb testing.TB) (*redis.Client, string) {
	tb.Helper()
	opts, err := redis.ParseURL(RedisURL())
	if err != nil {
		tb.Fatalf("SUIVI_TEST_REDIS_URL: %v", err)
	}
	rdb := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		tb.Fatalf("Redis is not reachable at %s: %v; start it (for example: redis-server --daemonize yes --port 6379 --save \"\"), or set SUIVI_TEST_REDIS_URL", RedisURL(), err)
	}
	prefix := "suivitest:" + randomHex(6) + ":"
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		rdb.Close()
	})
	return rdb, prefix
}
