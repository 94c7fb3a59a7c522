package scheduler

import (
	"log/slog"
	"sync"
	"time"
)

// zones loads returnees' time zones once each. An empty or unknown name is
// the default zone; an unknown one is logged once.
type zones struct {
	def    *time.Location
	log    *slog.Logger
	mu     sync.Mutex
	byName map[string]*time.Location
}

func newZones(def *time.Location, log *slog.Logger) *zones {
	return &zones{def: def, log: log, byName: map[string]*time.Location{}}
}

func (z *zones) get(name string) *time.Location {
	if name == "" {
		return z.def
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if loc, ok := z.byName[name]; ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		z.log.Warn("unknown returnee time zone, using the default", "timezone", name, "default", z.def.String())
		loc = z.def
	}
	z.byName[name] = loc
	return loc
}

// window builds a returnee's window from their stored zone and HH:MM bounds,
// falling back to the defaults for anything unreadable.
func (z *zones) window(tz, start, end string) Window {
	w := Window{Loc: z.get(tz), Start: defaultWindowStart, End: defaultWindowEnd}
	s, err1 := parseClock(start)
	e, err2 := parseClock(end)
	if err1 == nil && err2 == nil {
		w.Start, w.End = s, e
	}
	return w
}
