package bot

import (
	"sync"
	"time"
)

// breaker stops trying a failing dependency for a cool-down, then lets one
// call probe it while the others keep using their fallback: after a failure
// nothing waits on the dependency per message.
type breaker struct {
	cool time.Duration

	mu      sync.Mutex
	open    bool
	retryAt time.Time
}

// allow reports whether a call may try the dependency now. While open, only
// the first caller after the cool-down gets through (the probe).
func (b *breaker) allow(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.open {
		return true
	}
	if now.Before(b.retryAt) {
		return false
	}
	b.retryAt = now.Add(b.cool)
	return true
}

// record notes a call's result and reports whether the breaker just opened
// or just closed, for logging the change once.
func (b *breaker) record(now time.Time, err error) (opened, closed bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case err == nil && b.open:
		b.open = false
		return false, true
	case err != nil:
		opened = !b.open
		b.open, b.retryAt = true, now.Add(b.cool)
	}
	return opened, false
}

// isOpen reports whether the fallback is in use.
func (b *breaker) isOpen() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.open
}
