package scheduler

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Retention is how long personal data is kept after a returnee's follow-up
// ends: calendar months and days, or a plain duration.
type Retention struct {
	Months, Days int
	Duration     time.Duration
}

// DefaultRetention is what the consent text promises: 24 months.
var DefaultRetention = Retention{Months: 24}

// ParseRetention reads a retention period: a whole number of years, months
// or days ("2y", "24m", "730d"), or a Go duration in hours ("17520h"). "m"
// means months here, never minutes: data is never kept for minutes. Less
// than a day is refused.
func ParseRetention(s string) (Retention, error) {
	s = strings.TrimSpace(s)
	if n, unit, ok := cutUnit(s); ok {
		switch unit {
		case "y":
			return Retention{Months: 12 * n}, nil
		case "m", "mo":
			return Retention{Months: n}, nil
		case "d":
			return Retention{Days: n}, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return Retention{}, fmt.Errorf("retention %q: expected a number of months, days or years like 24m, 730d or 2y, or hours like 17520h", s)
	}
	if d < 24*time.Hour {
		return Retention{}, errors.New("retention " + strconv.Quote(s) + ": less than a day")
	}
	return Retention{Duration: d}, nil
}

// cutUnit splits "24m" into 24 and "m"; ok is false unless the number is
// whole and above zero and the unit is letters.
func cutUnit(s string) (n int, unit string, ok bool) {
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i <= 0 {
		return 0, "", false
	}
	n, err := strconv.Atoi(s[:i])
	if err != nil || n <= 0 {
		return 0, "", false
	}
	return n, s[i:], true
}

// Before is the instant the retention counts back to from now: follow-ups
// that ended before it are erased.
func (r Retention) Before(now time.Time) time.Time {
	return now.AddDate(0, -r.Months, -r.Days).Add(-r.Duration)
}

func (r Retention) String() string {
	switch {
	case r.Duration > 0:
		return r.Duration.String()
	case r.Days > 0:
		return strconv.Itoa(r.Days) + "d"
	}
	return strconv.Itoa(r.Months) + "m"
}

// MonthsStated is the retention in whole months, rounded up, as the consent
// text states it: a period in days or hours is never promised shorter than
// it is.
func (r Retention) MonthsStated() int {
	days := r.Days + int((r.Duration+24*time.Hour-1)/(24*time.Hour))
	return r.Months + (days+29)/30
}
