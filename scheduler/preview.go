package scheduler

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
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
	Questions  int       // questions the flow asks at most (0: unknown)
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
	questions := map[string]int{}
	for _, c := range campaigns {
		questions[c.FlowID] = c.Questions
	}
	line := func(flowID string, n, month int, at time.Time, status string) PreviewLine {
		return PreviewLine{FlowID: flowID, Occurrence: n, Month: month, At: at,
			Local: at.In(w.Loc).Format("2006-01-02 15:04"), Zone: w.Loc.String(), Status: status,
			Questions: questions[flowID]}
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
	pr := planReturnee(r)
	eachDue(monthSlots(campaigns), campaigns, pr, func(o dueOccurrence) bool {
		flowID := campaigns[o.campaign].FlowID
		if seen[fmt.Sprintf("%s/%d", flowID, o.month)] {
			return true
		}
		c := placeOccurrence(r.ID, flowID, o.n, o.month, o.due, w, now, DefaultHorizon, DefaultCatchUpAfter)
		if c.Status == storage.CheckinPlanned {
			out = append(out, line(flowID, o.n, o.month, c.OpenAt, "upcoming"))
		}
		return true
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	// As the opener does: none within SpreadDays local days of the one before.
	for i := 1; i < len(out); i++ {
		if out[i].Status == storage.CheckinOpen {
			continue
		}
		at := spacedAfter(out[i-1].At, out[i].At, w, occurrenceKey(r.ID, out[i].FlowID, out[i].Month))
		if !at.Equal(out[i].At) {
			out[i].At, out[i].Local = at, at.In(w.Loc).Format("2006-01-02 15:04")
			sort.SliceStable(out[i:], func(a, b int) bool { return out[i+a].At.Before(out[i+b].At) })
		}
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// planReturnee is what the planner would read of r.
func planReturnee(r storage.Returnee) storage.PlanReturnee {
	return storage.PlanReturnee{ID: r.ID, ReturnDate: dateOf(r.ReturnDate), Timezone: r.Timezone,
		WindowStart: r.WindowStart, WindowEnd: r.WindowEnd,
		Assistance: r.Assistance, Vulnerabilities: r.Vulnerabilities, Sector: r.Sector, Programme: r.Programme,
		Sex: r.Sex, HostCountry: r.HostCountry, Region: r.Region}
}

// FormatPreview writes one line per coming check-in, with the most questions
// it asks, and after each month the month's total, so the load put on the
// returnee shows:
//
//	2025-07-03 14:12 Africa/Casablanca  wellbeing  month 3  planned  9 questions
//	  month 3: 2 check-ins, 2025-07-03 and 2025-07-05, up to 21 questions
func FormatPreview(w io.Writer, lines []PreviewLine) error {
	if len(lines) == 0 {
		_, err := fmt.Fprintln(w, "no coming check-ins")
		return err
	}
	for i, l := range lines {
		if _, err := fmt.Fprintf(w, "%s %s  %s  month %d  %s  %s\n", l.Local, l.Zone, l.FlowID, l.Month, l.Status, questionCount(l.Questions)); err != nil {
			return err
		}
		if i+1 < len(lines) && lines[i+1].Month == l.Month {
			continue
		}
		var days []string
		total, n := 0, 0
		for _, o := range lines {
			if o.Month == l.Month {
				days = append(days, o.Local[:10])
				total += o.Questions
				n++
			}
		}
		if n < 2 {
			continue
		}
		sum := fmt.Sprintf("  month %d: %d check-ins, on %s", l.Month, n, strings.Join(days, ", "))
		if total > 0 {
			sum += fmt.Sprintf(", up to %d questions", total)
		}
		if _, err := fmt.Fprintln(w, sum); err != nil {
			return err
		}
	}
	return nil
}

func questionCount(n int) string {
	switch n {
	case 0:
		return "questions unknown"
	case 1:
		return "1 question"
	}
	return fmt.Sprintf("up to %d questions", n)
}
