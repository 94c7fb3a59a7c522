package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// WriteAudit records a staff action on personal data: who (actor, such as
// "cli:salma" or "staff:cw.salma"), what (action, such as "returnees.import"),
// on what (subject, a case reference or a file name, never a person's name)
// and details such as counts. Write it in the transaction of the action it
// records, so the log never claims an action that was rolled back.
func WriteAudit(ctx context.Context, q Querier, actor, action, subject string, detail map[string]any) error {
	return WriteAuditAt(ctx, q, time.Now(), actor, action, subject, detail)
}

// WriteAuditAt is WriteAudit at a time given by the caller's clock, so the
// log says when on the same clock as the rest of the case (tests move it).
func WriteAuditAt(ctx context.Context, q Querier, at time.Time, actor, action, subject string, detail map[string]any) error {
	if actor == "" || action == "" {
		return fmt.Errorf("write audit: actor and action are required: %w", ErrInvalid)
	}
	if detail == nil {
		detail = map[string]any{}
	}
	body, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("write audit %s: %w", action, err)
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)`,
		at, actor, action, subject, string(body)); err != nil {
		return fmt.Errorf("write audit %s: %w", action, err)
	}
	return nil
}
