package scheduler

import (
	"fmt"
	"slices"
	"time"

	"suivi/storage"
)

// Campaign is one flow's schedule relative to a returnee's return date:
// occurrence n is due on the return date plus Months[n] months, local date.
// The wiring converts flow definitions into campaigns; the scheduler knows
// nothing else of flows.
type Campaign struct {
	FlowID string
	Months []int
	// Eligible limits the campaign to returnees whose registry attributes
	// match every key (see PlanReturnee.Attribute): a list attribute
	// (assistance, vulnerabilities) when it contains one of the values, the
	// others when they equal one. Empty: every returnee.
	Eligible map[string][]string
	// Questions is how many questions the flow asks at most, for the preview.
	Questions int
}

// validateCampaigns checks what the schedule relies on: an occurrence is
// identified by its month, so months must be distinct, and in order.
func validateCampaigns(cs []Campaign) error {
	seen := make(map[string]bool, len(cs))
	for _, c := range cs {
		if c.FlowID == "" {
			return fmt.Errorf("campaign without a flow id")
		}
		if seen[c.FlowID] {
			return fmt.Errorf("campaign %q: defined twice", c.FlowID)
		}
		seen[c.FlowID] = true
		for k, vs := range c.Eligible {
			if _, ok := (storage.PlanReturnee{}).Attribute(k); !ok || len(vs) == 0 {
				return fmt.Errorf("campaign %q: eligibility on unknown attribute %q or without values", c.FlowID, k)
			}
		}
		if len(c.Months) == 0 {
			return fmt.Errorf("campaign %q: no months", c.FlowID)
		}
		for i, m := range c.Months {
			if m < 0 || m > 1200 {
				return fmt.Errorf("campaign %q: month %d out of range 0..1200", c.FlowID, m)
			}
			if i > 0 && m <= c.Months[i-1] {
				return fmt.Errorf("campaign %q: months must increase (%d after %d)", c.FlowID, m, c.Months[i-1])
			}
		}
	}
	return nil
}

// date is a calendar date, held as midnight UTC.
func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// dateOf is the calendar date of t in its own location.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return date(y, m, d)
}

// addMonths adds n months to a date, clamping the day to the length of the
// target month (Jan 31 + 1 month is Feb 28 or 29), as PostgreSQL does.
func addMonths(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	total := int(m) - 1 + n
	y += total / 12
	total %= 12
	if total < 0 {
		total += 12
		y--
	}
	month := time.Month(total + 1)
	if last := daysIn(y, month); day > last {
		day = last
	}
	return date(y, month, day)
}

func daysIn(y int, m time.Month) int { return date(y, m+1, 0).Day() }

// dueDate is the local date occurrence month m of a returnee falls on.
func dueDate(returnDate time.Time, month int) time.Time { return addMonths(returnDate, month) }

// returnDatesDueIn is the inclusive range of return dates whose date plus
// month months falls in (after, through]. Adding months is monotonic in the
// return date, so the set is one range; ok is false when it is empty.
func returnDatesDueIn(month int, after, through time.Time) (lo, hi time.Time, ok bool) {
	lo = addMonths(after, -month).AddDate(0, 0, -4)
	for !addMonths(lo, month).After(after) {
		lo = lo.AddDate(0, 0, 1)
	}
	hi = addMonths(through, -month).AddDate(0, 0, 4)
	for addMonths(hi, month).After(through) {
		hi = hi.AddDate(0, 0, -1)
	}
	return lo, hi, !hi.Before(lo)
}

// eligible reports whether the campaign goes to r.
func (c Campaign) eligible(r storage.PlanReturnee) bool {
	for k, accepted := range c.Eligible {
		values, _ := r.Attribute(k)
		if !slices.ContainsFunc(values, func(v string) bool { return slices.Contains(accepted, v) }) {
			return false
		}
	}
	return true
}
