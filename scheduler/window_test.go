package scheduler

import (
	"testing"
	"time"
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

func clock(t testing.TB, s string) int {
	t.Helper()
	m, err := parseClock(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestWindowAcrossDST checks the real length of windows on DST days and
// that every planned instant is inside the window, on its day.
func TestWindowAcrossDST(t *testing.T) {
	tests := []struct {
		name, zone, day, start, end string
		want                        time.Duration // real time inside the window that day
		spans                       int
	}{
		{"Paris ordinary day", "Europe/Paris", "2025-03-29", "10:00", "19:00", 9 * time.Hour, 1},
		{"Paris spring-forward, window across the gap", "Europe/Paris", "2025-03-30", "01:30", "03:30", time.Hour, 1},
		{"Paris spring-forward, day window", "Europe/Paris", "2025-03-30", "10:00", "19:00", 9 * time.Hour, 1},
		{"Paris spring-forward, window from midnight", "Europe/Paris", "2025-03-30", "00:00", "10:00", 9 * time.Hour, 1},
		{"Paris spring-forward, window inside the gap", "Europe/Paris", "2025-03-30", "02:10", "02:50", 0, 0},
		{"Paris fall-back, window across the overlap", "Europe/Paris", "2025-10-26", "01:30", "03:30", 3 * time.Hour, 1},
		{"Paris fall-back, window starting in the overlap", "Europe/Paris", "2025-10-26", "02:30", "04:00", 2 * time.Hour, 2},
		{"Paris overnight window before the gap", "Europe/Paris", "2025-03-29", "22:00", "01:00", 3 * time.Hour, 1},
		{"Paris overnight window across the gap", "Europe/Paris", "2025-03-29", "23:00", "03:30", 3*time.Hour + 30*time.Minute, 1},
		{"Casablanca Ramadan clocks back", "Africa/Casablanca", "2025-02-23", "01:30", "03:30", 3 * time.Hour, 1},
		{"Casablanca Ramadan clocks back, day window", "Africa/Casablanca", "2025-02-23", "10:00", "19:00", 9 * time.Hour, 1},
		{"Casablanca after Ramadan clocks forward", "Africa/Casablanca", "2025-04-06", "01:30", "03:30", time.Hour, 1},
		{"Casablanca after Ramadan, day window", "Africa/Casablanca", "2025-04-06", "10:00", "19:00", 9 * time.Hour, 1},
		{"New York spring-forward across the gap", "America/New_York", "2025-03-09", "01:30", "03:30", time.Hour, 1},
		{"New York fall-back across the overlap", "America/New_York", "2025-11-02", "00:30", "02:30", 3 * time.Hour, 1},
		{"New York ordinary day", "America/New_York", "2025-06-10", "10:00", "19:00", 9 * time.Hour, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := Window{Loc: mustLoad(t, tt.zone), Start: clock(t, tt.start), End: clock(t, tt.end)}
			d, _ := time.Parse(time.DateOnly, tt.day)
			spans := w.spans(d)
			if got := totalLen(spans); got != tt.want || len(spans) != tt.spans {
				t.Fatalf("window %s–%s on %s: %s in %d span(s), want %s in %d", tt.start, tt.end, tt.day, got, len(spans), tt.want, tt.spans)
			}
			hours := map[int]bool{}
			for key := uint64(0); key < 3000; key++ {
				at := w.PlannedOn(d, mix(key))
				if !w.Contains(at) {
					t.Fatalf("key %d: %s is outside the window %s–%s", key, at.In(w.Loc), tt.start, tt.end)
				}
				day := dateOf(at.In(w.Loc))
				if tt.want > 0 && day != d && !(w.End <= w.Start && day == d.AddDate(0, 0, 1)) {
					t.Fatalf("key %d: %s is not on %s", key, at.In(w.Loc), tt.day)
				}
				if tt.want == 0 && day == d {
					t.Fatalf("key %d: %s is on a day the window does not exist", key, at.In(w.Loc))
				}
				hours[at.Hour()] = true
			}
			if tt.want >= 9*time.Hour && len(hours) < 9 {
				t.Errorf("3000 occurrences fall in %d distinct hours only: not spread", len(hours))
			}
		})
	}
}

// TestWindowEveryDay walks every day of 2025 in zones with unusual rules
// (negative DST, 30-minute DST, southern hemisphere, half-hour offsets):
// planned, caught-up and reminder instants are always inside the window.
func TestWindowEveryDay(t *testing.T) {
	zones := []string{"Europe/Paris", "Africa/Casablanca", "America/New_York", "Pacific/Auckland",
		"Australia/Lord_Howe", "Asia/Kolkata", "America/Santiago", "UTC"}
	windows := [][2]string{{"10:00", "19:00"}, {"01:30", "03:30"}, {"22:00", "01:00"}, {"02:10", "02:50"}, {"00:00", "00:00"}, {"08:00", "08:30"}}
	for _, zone := range zones {
		loc := mustLoad(t, zone)
		for _, win := range windows {
			w := Window{Loc: loc, Start: clock(t, win[0]), End: clock(t, win[1])}
			for d := date(2025, 1, 1); d.Year() == 2025; d = d.AddDate(0, 0, 1) {
				key := mix(uint64(d.YearDay()))
				if at := w.PlannedOn(d, key); !w.Contains(at) {
					t.Fatalf("%s %s–%s: planned %s is outside", zone, win[0], win[1], at.In(loc))
				}
				now := d.Add(time.Duration(key%(36*3600)) * time.Second)
				next := w.NextSpread(now, key)
				if !w.Contains(next) || !next.After(now) || next.Sub(now) > 72*time.Hour {
					t.Fatalf("%s %s–%s: caught up at %s after %s", zone, win[0], win[1], next.In(loc), now.In(loc))
				}
				if open := w.NextOpening(now); !w.Contains(open) || open.Before(now) || open.Sub(now) > 72*time.Hour {
					t.Fatalf("%s %s–%s: next opening %s after %s", zone, win[0], win[1], open.In(loc), now.In(loc))
				}
			}
		}
	}
}

func TestNextSpreadUsesWhatIsLeftOrTomorrow(t *testing.T) {
	loc := mustLoad(t, "Africa/Casablanca")
	w := Window{Loc: loc, Start: 10 * 60, End: 19 * 60}
	// At 13:00 most of today's window is left: spread over 13:01–18:55.
	now := time.Date(2025, 6, 10, 13, 0, 0, 0, loc)
	minutes := map[int]bool{}
	for key := uint64(0); key < 500; key++ {
		at := w.NextSpread(now, mix(key))
		if at.Day() != 10 || at.Before(now) || !w.Contains(at) {
			t.Fatalf("caught up at %s, want later today inside the window", at)
		}
		minutes[at.Hour()*60+at.Minute()] = true
	}
	if len(minutes) < 200 {
		t.Errorf("500 catch-ups fall in %d distinct minutes: a flood", len(minutes))
	}
	// At 18:30 too little is left: tomorrow's window.
	late := time.Date(2025, 6, 10, 18, 30, 0, 0, loc)
	if at := w.NextSpread(late, 42); at.Day() != 11 || !w.Contains(at) {
		t.Errorf("caught up at %s, want tomorrow inside the window", at)
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]int{"00:00": 0, "10:00": 600, "19:30": 1170, "23:59:00": 1439} {
		if got, err := parseClock(in); err != nil || got != want {
			t.Errorf("parseClock(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "7:00", "24:00", "10-00", "ab:cd"} {
		if _, err := parseClock(in); err == nil {
			t.Errorf("parseClock(%q): want an error", in)
		}
	}
}
