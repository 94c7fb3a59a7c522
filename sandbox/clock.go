package sandbox

import (
	"sync"
	"time"
)

// Clock is the sandbox's time: the wall clock plus an offset that the page
// moves forward (an hour, a day, a week, a month). It keeps running between
// moves, so pacing and timeouts behave as in production. It never goes
// back: rows written at the database's own now() stay in the past.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
	wall   func() time.Time
}

// NewClock starts a clock offset from the wall clock.
func NewClock(offset time.Duration) *Clock {
	return &Clock{offset: max(offset, 0), wall: time.Now}
}

// Now is the sandbox time; it is Options.Now of the whole app.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wall().Add(c.offset)
}

// Offset is how far the clock is ahead of the wall clock.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// MoveTo sets the clock to t when t is ahead of it; an earlier t is ignored.
func (c *Clock) MoveTo(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := t.Sub(c.wall()); d > c.offset {
		c.offset = d
	}
}

// reset puts the clock back on the wall clock (the sandbox's data is wiped
// with it).
func (c *Clock) reset() {
	c.mu.Lock()
	c.offset = 0
	c.mu.Unlock()
}
