package scheduler

import (
	"slices"
	"time"

	"suivi/storage"
)

// SpreadDays is the least number of local days between two check-ins of one
// returnee: flows due in the same month are planned that far apart, and a
// check-in whose opening would come sooner after the returnee's last one
// (a catch-up, a wait behind a long conversation) waits for that day's
// window. So nobody gets two check-ins on one day, nor on two days running.
const SpreadDays = 2

// monthSlot is one month offset of the schedule and the campaigns due in it,
// in campaign order: that order is the order they are asked in that month.
type monthSlot struct {
	month int
	flows []slotFlow
}

// slotFlow is a campaign's occurrence in a month: campaign index and
// occurrence index in its months.
type slotFlow struct{ campaign, n int }

// monthSlots groups the campaigns' occurrences by month, months in order.
func monthSlots(cs []Campaign) []monthSlot {
	byMonth := map[int][]slotFlow{}
	for i, c := range cs {
		for n, m := range c.Months {
			byMonth[m] = append(byMonth[m], slotFlow{campaign: i, n: n})
		}
	}
	out := make([]monthSlot, 0, len(byMonth))
	for m, fs := range byMonth {
		out = append(out, monthSlot{month: m, flows: fs})
	}
	slices.SortFunc(out, func(a, b monthSlot) int { return a.month - b.month })
	return out
}

// dueOccurrence is one occurrence of a returnee: its campaign, its month
// (which identifies it), the date the month falls on and its own local due
// date, spread inside the month after the others of that month.
type dueOccurrence struct {
	campaign, n, month int
	base, due          time.Time
}

// eachDue calls fn for the occurrences of r, month by month, while fn
// returns true: in each month only the campaigns r is eligible for, the
// k-th of them due SpreadDays*k days after the month's date.
func eachDue(slots []monthSlot, cs []Campaign, r storage.PlanReturnee, fn func(dueOccurrence) bool) {
	for _, sl := range slots {
		base := dueDate(r.ReturnDate, sl.month)
		k := 0
		for _, f := range sl.flows {
			if !cs[f.campaign].eligible(r) {
				continue
			}
			if !fn(dueOccurrence{campaign: f.campaign, n: f.n, month: sl.month, base: base, due: base.AddDate(0, 0, k*SpreadDays)}) {
				return
			}
			k++
		}
	}
}

// tooSoon reports whether opening now, in the returnee's zone, would come
// less than SpreadDays local days after the last opening; next is then the
// first local date allowed.
func tooSoon(last *time.Time, now time.Time, loc *time.Location) (next time.Time, soon bool) {
	if last == nil {
		return time.Time{}, false
	}
	next = dateOf(last.In(loc)).AddDate(0, 0, SpreadDays)
	return next, dateOf(now.In(loc)).Before(next)
}

// spacedAfter is when a check-in planned at `at` opens given that the one
// before it opens at prev: at itself when that is SpreadDays local days
// later or more, else its spread instant in the window of the first day
// allowed. Caught-up occurrences (downtime, a late enrolment) would
// otherwise all land in the next window.
func spacedAfter(prev, at time.Time, w Window, key uint64) time.Time {
	next := dateOf(prev.In(w.Loc)).AddDate(0, 0, SpreadDays)
	if !dateOf(at.In(w.Loc)).Before(next) {
		return at
	}
	return w.PlannedOn(next, key)
}

// spaceOut keeps one returnee's planned check-ins SpreadDays apart, in the
// order they open.
func spaceOut(cs []storage.NewCheckin, w Window) {
	slices.SortStableFunc(cs, func(a, b storage.NewCheckin) int { return a.OpenAt.Compare(b.OpenAt) })
	var prev *time.Time
	for i := range cs {
		c := &cs[i]
		if c.Status != storage.CheckinPlanned {
			continue
		}
		if prev != nil {
			c.OpenAt = spacedAfter(*prev, c.OpenAt, w, occurrenceKey(c.ReturneeID, c.FlowID, c.Month))
		}
		prev = &c.OpenAt
	}
}
