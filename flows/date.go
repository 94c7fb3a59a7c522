package flows

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// ErrNotDate is returned by ParseDate for a text that is not a date.
var ErrNotDate = errors.New("not a date")

// ParseDate reads a date the way returnees type it: "2026-03-15", "15/03/2026",
// "15-03-2026", "15.03.2026", "15 03 2026", with one or two digits for day and
// month, a two-digit year ("15/03/26" is 2026), no year ("15/03": the year of
// now), and Arabic-Indic or Eastern digits. Day comes before month, as in
// Morocco and France. The date is at midnight in now's location.
func ParseDate(s string, now time.Time) (time.Time, error) {
	if len(s) > maxNumberLen {
		return time.Time{}, ErrNotDate
	}
	s = strings.TrimSpace(normalizeDigits(s))
	s = strings.TrimRight(s, ".")
	var sep rune
	for _, r := range s {
		if r < '0' || r > '9' {
			sep = r
			break
		}
	}
	if sep != '/' && sep != '-' && sep != '.' && sep != ' ' {
		return time.Time{}, ErrNotDate
	}
	parts := strings.Split(s, string(sep))
	nums := make([]int, len(parts))
	for i, p := range parts {
		if !allDigits(p) || len(p) > 4 {
			return time.Time{}, ErrNotDate
		}
		nums[i], _ = strconv.Atoi(p)
	}
	var y, m, d int
	dayMonth := [2]string{parts[0], parts[1]} // day and month parts, at most 2 digits each
	switch {
	case len(parts) == 3 && len(parts[0]) == 4:
		y, m, d = nums[0], nums[1], nums[2]
		dayMonth = [2]string{parts[2], parts[1]}
	case len(parts) == 3 && len(parts[2]) == 4:
		d, m, y = nums[0], nums[1], nums[2]
	case len(parts) == 3 && len(parts[2]) == 2:
		d, m, y = nums[0], nums[1], 2000+nums[2]
		if y > now.Year()+20 {
			y -= 100
		}
	case len(parts) == 2:
		d, m, y = nums[0], nums[1], now.Year()
	default:
		return time.Time{}, ErrNotDate
	}
	if len(dayMonth[0]) > 2 || len(dayMonth[1]) > 2 || y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, ErrNotDate
	}
	loc := now.Location()
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc)
	if t.Day() != d {
		return time.Time{}, ErrNotDate // 31/02 and the like
	}
	return t, nil
}

// FormatDate shows a date the way returnees write it, day first: 15/03/2026.
func FormatDate(t time.Time) string { return t.Format("02/01/2006") }
