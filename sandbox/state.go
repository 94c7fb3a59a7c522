package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The sandbox keeps its own small state in its database, outside the
// migrations (it exists in sandbox databases only): that the demonstration
// data was seeded, the people the page plays, and how far the clock was
// moved, so a restart of `make run` carries on where it stopped.
const sqlCreateState = `
CREATE TABLE IF NOT EXISTS sandbox_state (
    id            BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
    seeded_at     TIMESTAMPTZ NOT NULL,
    clock_offset  BIGINT NOT NULL DEFAULT 0,
    people        JSONB NOT NULL DEFAULT '{}'
)`

// state is the sandbox_state row.
type state struct {
	Seeded bool
	Offset time.Duration
	People People
}

// errNotSandbox stops the sandbox from writing demonstration data into a
// database that holds other data.
var errNotSandbox = errors.New("this database holds returnees that the sandbox did not create: " +
	"the sandbox seeds and resets only its own database (DATABASE_URL=postgres://…/suivi_sandbox, as `make run` sets it)")

// loadState reads the sandbox's state, creating its table; a database with
// returnees but no sandbox state is refused.
func loadState(ctx context.Context, db *sql.DB) (state, error) {
	if _, err := db.ExecContext(ctx, sqlCreateState); err != nil {
		return state{}, fmt.Errorf("create sandbox state: %w", err)
	}
	var st state
	var offset int64
	var people []byte
	err := db.QueryRowContext(ctx, `SELECT clock_offset, people FROM sandbox_state`).Scan(&offset, &people)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM returnees`).Scan(&n); err != nil {
			return st, fmt.Errorf("count returnees: %w", err)
		}
		if n > 0 {
			return st, errNotSandbox
		}
		return st, nil
	case err != nil:
		return st, fmt.Errorf("load sandbox state: %w", err)
	}
	st.Seeded, st.Offset = true, time.Duration(offset)
	if err := json.Unmarshal(people, &st.People); err != nil {
		return st, fmt.Errorf("load sandbox people: %w", err)
	}
	return st, nil
}

// saveOffset records how far the clock is ahead.
func saveOffset(ctx context.Context, db *sql.DB, offset time.Duration) error {
	if _, err := db.ExecContext(ctx, `UPDATE sandbox_state SET clock_offset = $1`, int64(offset)); err != nil {
		return fmt.Errorf("save sandbox clock: %w", err)
	}
	return nil
}

// wipe empties the sandbox database (only one the sandbox seeded) so the
// migrations and the seed start it again.
func wipe(ctx context.Context, db *sql.DB) error {
	var seeded bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sandbox_state)`).Scan(&seeded); err != nil {
		return fmt.Errorf("reset sandbox: %w", err)
	}
	if !seeded {
		return errNotSandbox
	}
	if _, err := db.ExecContext(ctx, `DROP SCHEMA public CASCADE; CREATE SCHEMA public`); err != nil {
		return fmt.Errorf("reset sandbox: %w", err)
	}
	return nil
}
