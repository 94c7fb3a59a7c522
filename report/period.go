package report

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	quarterRe = regexp.MustCompile(`^(\d{4})-?[Qq]([1-4])$`)
	monthRe   = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	yearRe    = regexp.MustCompile(`^(\d{4})$`)
)

// ParsePeriod reads a period as a manager writes it: 2018Q2 (or 2018-Q2), a
// month 2018-05, a year 2018. Empty means the last complete quarter before
// now.
func ParsePeriod(s string, now time.Time) (Period, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return LastQuarter(now), nil
	}
	if m := quarterRe.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		q, _ := strconv.Atoi(m[2])
		from := time.Date(y, time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC)
		return Period{From: from, To: from.AddDate(0, 3, -1)}, nil
	}
	if m := monthRe.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		if mo >= 1 && mo <= 12 {
			from := time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC)
			return Period{From: from, To: from.AddDate(0, 1, -1)}, nil
		}
	}
	if m := yearRe.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		return Period{From: time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)}, nil
	}
	return Period{}, fmt.Errorf("period %q: expected a quarter like 2018Q2, a month like 2018-05 or a year like 2018", s)
}

// LastQuarter is the last quarter that ended before now (UTC).
func LastQuarter(now time.Time) Period {
	now = now.UTC()
	start := time.Date(now.Year(), time.Month((int(now.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
	from := start.AddDate(0, -3, 0)
	return Period{From: from, To: start.AddDate(0, 0, -1)}
}

// ParseDay reads a YYYY-MM-DD date, naming the flag in the error.
func ParseDay(name, s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s %q: expected a date like 2018-04-01", name, s)
	}
	return t, nil
}
