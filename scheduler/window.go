package scheduler

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"time"
)

// Window is the part of the day a returnee prefers to be contacted in, in
// their own time zone: from Start up to End, in minutes after local midnight.
// An End at or before Start runs past midnight into the next day.
type Window struct {
	Loc        *time.Location
	Start, End int
}

// Default window when a returnee has none.
const (
	defaultWindowStart = 10 * 60
	defaultWindowEnd   = 19 * 60
)

// endMargin keeps planned instants away from the very end of a window, so
// that a tick a little late still opens the check-in inside it.
const endMargin = 5 * time.Minute

// parseClock reads "HH:MM" (or "HH:MM:SS") as minutes after midnight.
func parseClock(s string) (int, error) {
	if len(s) < 5 || s[2] != ':' {
		return 0, fmt.Errorf("time of day %q: expected HH:MM", s)
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:5])
	if err1 != nil || err2 != nil || h > 23 || m > 59 {
		return 0, fmt.Errorf("time of day %q: expected HH:MM", s)
	}
	return h*60 + m, nil
}

// length is the window's length on the wall clock.
func (w Window) length() time.Duration {
	n := w.End - w.Start
	if n <= 0 {
		n += 24 * 60
	}
	return time.Duration(n) * time.Minute
}

// Contains reports whether the wall clock at t, in the window's zone, is
// inside the window.
func (w Window) Contains(t time.Time) bool {
	lt := t.In(w.Loc)
	m := lt.Hour()*60 + lt.Minute()
	if w.Start < w.End {
		return m >= w.Start && m < w.End
	}
	return m >= w.Start || m < w.End
}

// span is the half-open range of instants [from, to).
type span struct{ from, to time.Time }

func (s span) len() time.Duration { return s.to.Sub(s.from) }

// spans returns the instants of the window that starts on local date d: the
// instants whose wall clock lies in it. On most days that is one span as long
// as the window; across a DST change it is shorter (a gap), longer (an
// overlap), split in two, or empty (a window inside the gap).
func (w Window) spans(d time.Time) []span {
	wallFrom := d.Add(time.Duration(w.Start) * time.Minute)
	wallTo := wallFrom.Add(w.length())
	// Walk the zone's periods around the window: offsets lie within ±15 h.
	t, limit := wallFrom.Add(-15*time.Hour), wallTo.Add(15*time.Hour)
	var out []span
	for t.Before(limit) {
		lt := t.In(w.Loc)
		_, offset := lt.Zone()
		_, periodEnd := lt.ZoneBounds()
		if periodEnd.IsZero() || periodEnd.After(limit) {
			periodEnd = limit
		}
		o := time.Duration(offset) * time.Second
		// In this period the wall clock is t+o: inside when t is in [wallFrom-o, wallTo-o).
		s := span{later(t, wallFrom.Add(-o)), earlier(periodEnd, wallTo.Add(-o))}
		if s.from.Before(s.to) {
			if n := len(out); n > 0 && out[n-1].to.Equal(s.from) {
				out[n-1].to = s.to
			} else {
				out = append(out, s)
			}
		}
		t = periodEnd
	}
	return out
}

// after keeps the part of spans at or after t.
func after(spans []span, t time.Time) []span {
	var out []span
	for _, s := range spans {
		if s.to.After(t) {
			out = append(out, span{later(s.from, t), s.to})
		}
	}
	return out
}

// trimEnd removes margin from the end of spans, unless that would leave
// less than half of them.
func trimEnd(spans []span, margin time.Duration) []span {
	total := totalLen(spans)
	if margin <= 0 || total <= 2*margin {
		return spans
	}
	out := append([]span(nil), spans...)
	for margin > 0 && len(out) > 0 {
		last := &out[len(out)-1]
		if last.len() > margin {
			last.to = last.to.Add(-margin)
			break
		}
		margin -= last.len()
		out = out[:len(out)-1]
	}
	return out
}

func totalLen(spans []span) time.Duration {
	var total time.Duration
	for _, s := range spans {
		total += s.len()
	}
	return total
}

// pick returns the instant at offset (key mod total length, whole seconds)
// into spans: a deterministic spread of everyone due in the same window.
func pick(spans []span, key uint64) (time.Time, bool) {
	secs := int64(totalLen(spans) / time.Second)
	if secs <= 0 {
		if len(spans) > 0 {
			return spans[0].from, true
		}
		return time.Time{}, false
	}
	off := time.Duration(key%uint64(secs)) * time.Second
	for _, s := range spans {
		if off < s.len() {
			return s.from.Add(off), true
		}
		off -= s.len()
	}
	return spans[len(spans)-1].from, true
}

// PlannedOn is the instant, inside the window starting on local date d, at
// which the occurrence with the given key opens. A window that does not
// exist that day (inside a DST gap) moves to the next day's.
func (w Window) PlannedOn(d time.Time, key uint64) time.Time {
	for i := 0; i < 7; i++ {
		if t, ok := pick(trimEnd(w.spans(d.AddDate(0, 0, i)), endMargin), key); ok {
			return t
		}
	}
	return d.Add(time.Duration(w.Start) * time.Minute) // unreachable for real zones
}

// minCatchUp is the least of a window a caught-up check-in is spread over:
// when less is left of today's window, tomorrow's is used.
const minCatchUp = time.Hour

// NextSpread is the instant, in the first window after now with enough of it
// left, at which an occurrence with the given key opens when it is caught up
// or moved: spread over what is left of that window, never all at its start.
func (w Window) NextSpread(now time.Time, key uint64) time.Time {
	need := min(minCatchUp, w.length()/2)
	from := now.Add(time.Minute)
	d := dateOf(now.In(w.Loc)).AddDate(0, 0, -1)
	for i := 0; i < 9; i++ {
		left := trimEnd(after(w.spans(d.AddDate(0, 0, i)), from), endMargin)
		if totalLen(left) >= need {
			t, _ := pick(left, key)
			return t
		}
	}
	return w.PlannedOn(dateOf(now.In(w.Loc)).AddDate(0, 0, 1), key)
}

// NextOpening is t when it is inside the window, else the instant the next
// window opens.
func (w Window) NextOpening(t time.Time) time.Time {
	d := dateOf(t.In(w.Loc)).AddDate(0, 0, -1)
	for i := 0; i < 9; i++ {
		for _, s := range w.spans(d.AddDate(0, 0, i)) {
			if s.to.After(t) {
				return later(s.from, t)
			}
		}
	}
	return t
}

// occurrenceKey spreads one returnee's occurrence over a window; the same
// inputs give the same instant on every replica.
func occurrenceKey(returneeID int64, flowID string, month int) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for i := range b {
		b[i] = byte(uint64(returneeID) >> (8 * i))
	}
	h.Write(b[:])
	h.Write([]byte(flowID))
	h.Write([]byte{0, byte(month), byte(month >> 8)})
	return mix(h.Sum64())
}

// mix is a finaliser (splitmix64) so that nearby keys spread evenly.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
