package scheduler

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"time"

	"suivi/storage"
)

// PreviewLine is one coming check-in of a returnee, as the scheduler has
// planned it or will plan it.
type PreviewLine struct {
	FlowID     string
	Occurrence int       // index in the campaign's months, from 0
	Month      int       // months after the return date
	At         time.Time // planned open instant (opened instant when open)
	Local      string    // At in the returnee's zone, YYYY-MM-DD HH:MM
	Zone       string    // the returnee's time zone
	Status     string    // open, planned, or upcoming (not created yet)
}

// Preview lists a returnee's coming check-ins in time order, at most limit
// (all when limit <= 0): those already planned or open, then the ones still
// to be planned, placed as the planner will place them.
func Preview(ctx context.Context, q storage.Querier, returneeRef string, campaigns []Campaign, defaultTZ *time.Location, now time.Time, limit int) ([]PreviewLine, error) {
	if err := validateCampaigns(campaigns); err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	r, err := storage.ReturneeByRef(ctx, q, returneeRef)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	if r.Status == storage.StatusDeleted || r.ReturnDate.IsZero() {
		return nil, nil
	}
	existing, err := storage.CheckinsByReturnee(ctx, q, r.ID)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	w := newZones(defaultTZ, slog.New(slog.DiscardHandler)).window(r.Timezone, r.WindowStart, r.WindowEnd)
	line := func(flowID string, n, month int, at time.Time, status string) PreviewLine {
		return PreviewLine{FlowID: flowID, Occurrence: n, Month: month, At: at,
			Local: at.In(w.Loc).Format("2006-01-02 15:04"), Zone: w.Loc.String(), Status: status}
	}
	var out []PreviewLine
	seen := map[string]bool{}
	for _, c := range existing {
		seen[fmt.Sprintf("%s/%d", c.FlowID, c.Month)] = true
		switch c.Status {
		case storage.CheckinOpen:
			out = append(out, line(c.FlowID, c.Occurrence, c.Month, *c.OpenedAt, c.Status))
		case storage.CheckinPlanned:
			out = append(out, line(c.FlowID, c.Occurrence, c.Month, c.OpenAt, c.Status))
		}
	}
	returnDate := dateOf(r.ReturnDate)
	for _, cp := range campaigns {
		for n, m := range cp.Months {
			if seen[fmt.Sprintf("%s/%d", cp.FlowID, m)] {
				continue
			}
			c := placeOccurrence(r.ID, cp.FlowID, n, m, dueDate(returnDate, m), w, now, DefaultHorizon, DefaultCatchUpAfter)
			if c.Status == storage.CheckinPlanned {
				out = append(out, line(cp.FlowID, n, m, c.OpenAt, "upcoming"))
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// FormatPreview writes one line per coming check-in:
// "2025-07-03 14:12 Africa/Casablanca  wellbeing  month 3  planned".
func FormatPreview(w io.Writer, lines []PreviewLine) error {
	if len(lines) == 0 {
		_, err := fmt.Fprintln(w, "no coming check-ins")
		return err
	}
	for _, l := range lines {
		if _, err := fmt.Fprintf(w, "%s %s  %s  month %d  %s\n", l.Local, l.Zone, l.FlowID, l.Month, l.Status); err != nil {
			return err
		}
	}
	return nil
}
