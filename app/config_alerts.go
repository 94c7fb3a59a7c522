package app

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"suivi/storage"
)

// DefaultAlertDeadlines is how long each severity waits for a staff member
// to take an alert in hand before reminders and escalation; low has none.
var DefaultAlertDeadlines = map[string]time.Duration{"urgent": time.Hour, "high": 24 * time.Hour, "medium": 72 * time.Hour}

// parseOnCall reads SUIVI_ONCALL: comma-separated staff handles. Whether
// they exist is checked once the database is open (checkOnCall).
func parseOnCall(v string) ([]string, error) {
	var out []string
	for _, h := range strings.Split(v, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if !storage.StaffHandlePattern.MatchString(h) {
			return nil, &ConfigError{"SUIVI_ONCALL", v, "expected comma-separated staff handles, like cw.salma,sup.karim (lowercase letters, digits, . _ -)"}
		}
		out = append(out, h)
	}
	return out, nil
}

// parseDeadlines reads SUIVI_ALERT_DEADLINES, like
// "urgent=1h,high=24h,medium=72h": the severities named replace the
// defaults; "none" (or 0) removes a severity's deadline.
func parseDeadlines(v string) (map[string]time.Duration, error) {
	out := map[string]time.Duration{}
	for k, d := range DefaultAlertDeadlines {
		out[k] = d
	}
	bad := &ConfigError{"SUIVI_ALERT_DEADLINES", v, "expected severity=duration pairs separated by commas, like urgent=1h,high=24h,medium=72h,low=none " +
		"(severities urgent, high, medium, low; durations of at least 1m, or none)"}
	for _, pair := range strings.Split(v, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		sev, dur, ok := strings.Cut(pair, "=")
		sev, dur = strings.TrimSpace(sev), strings.TrimSpace(dur)
		switch sev {
		case "urgent", "high", "medium", "low":
		default:
			ok = false
		}
		if !ok {
			return nil, bad
		}
		if dur == "none" || dur == "0" {
			delete(out, sev)
			continue
		}
		d, err := time.ParseDuration(dur)
		if err != nil || d < time.Minute {
			return nil, bad
		}
		out[sev] = d
	}
	return out, nil
}

// checkOnCall refuses to start when SUIVI_ONCALL names someone who is not
// staff: an urgent alert must never go to nobody by a typo.
func checkOnCall(ctx context.Context, db *sql.DB, handles []string) error {
	var unknown []string
	for _, h := range handles {
		_, err := storage.StaffByHandle(ctx, db, h)
		if errors.Is(err, storage.ErrNotFound) {
			unknown = append(unknown, h)
			continue
		}
		if err != nil {
			return err
		}
	}
	if len(unknown) > 0 {
		return &ConfigError{"SUIVI_ONCALL", strings.Join(handles, ","), "no staff member has the handle " + strings.Join(unknown, ", ") +
			": add them with `suivi staff add` or remove them from the list"}
	}
	return nil
}
