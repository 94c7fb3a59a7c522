package scheduler

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"suivi/storage"
)

func TestPreview(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, nil)
	addReturnee(t, e.db, returnee{Ref: "MA-PREVIEW", ReturnDate: date(2025, 1, 31), Timezone: "Europe/Paris", WindowStart: "18:00", WindowEnd: "20:00"})
	now := time.Date(2025, 2, 26, 9, 0, 0, 0, time.UTC)
	e.tick(t, s, now) // plans the first occurrences, due 2025-02-28

	ctx := context.Background()
	lines, err := Preview(ctx, e.db, "MA-PREVIEW", testCampaigns, mustLoad(t, "Africa/Casablanca"), now, 6)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 6 {
		t.Fatalf("%d lines, want 6", len(lines))
	}
	// Flows due in the same month are two days apart.
	wantDays := []string{"2025-02-28", "2025-03-02", "2025-03-31", "2025-04-30", "2025-05-02", "2025-05-31"}
	for i, l := range lines {
		if !strings.HasPrefix(l.Local, wantDays[i]) || l.Zone != "Europe/Paris" {
			t.Errorf("line %d: %s %s, want on %s Europe/Paris", i, l.Local, l.Zone, wantDays[i])
		}
		if h := l.Local[11:13]; h != "18" && h != "19" {
			t.Errorf("line %d at %s, outside 18:00–20:00", i, l.Local)
		}
		if i > 0 && l.At.Before(lines[i-1].At) {
			t.Errorf("lines out of order")
		}
	}
	if lines[0].Status != "planned" || lines[2].Status != "upcoming" {
		t.Errorf("statuses %s, %s; want planned then upcoming", lines[0].Status, lines[2].Status)
	}
	// What the preview announces is what the planner does.
	var planned time.Time
	e.db.QueryRow(`SELECT open_at FROM checkins WHERE flow_id = $1 AND month = $2`, lines[0].FlowID, lines[0].Month).Scan(&planned)
	if !planned.Equal(lines[0].At) {
		t.Errorf("preview says %s, planned %s", lines[0].At, planned)
	}
	later := time.Date(2025, 3, 29, 12, 0, 0, 0, time.UTC)
	e.tick(t, s, later)
	var openAt time.Time
	e.db.QueryRow(`SELECT open_at FROM checkins WHERE month = 2 AND flow_id = 'project'`).Scan(&openAt)
	if !openAt.Equal(lines[2].At) {
		t.Errorf("preview said %s for month 2, planner chose %s", lines[2].At, openAt)
	}

	lines[0].Questions, lines[1].Questions = 8, 7
	var b strings.Builder
	if err := FormatPreview(&b, lines[:3]); err != nil {
		t.Fatal(err)
	}
	out := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(out) != 4 || !strings.HasPrefix(out[0], lines[0].Local+" Europe/Paris  ") || !strings.Contains(out[0], "month 1") ||
		!strings.HasSuffix(out[0], "up to 8 questions") {
		t.Errorf("formatted preview:\n%s", b.String())
	}
	if want := "  month 1: 2 check-ins, on 2025-02-28, 2025-03-02, up to 15 questions"; out[2] != want {
		t.Errorf("month summary %q, want %q", out[2], want)
	}
	if _, err := Preview(ctx, e.db, "MA-UNKNOWN", testCampaigns, time.UTC, now, 5); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown ref: %v, want ErrNotFound", err)
	}
}
