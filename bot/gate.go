package bot

import (
	"context"
	"sync"
)

// gate hands out global send slots from the Limiter, replies before bulk
// messages, so a returnee answering never waits behind a wave of openers
// already claimed by this process.
type gate struct {
	lim    Limiter
	mu     sync.Mutex
	queues [2][]*gateWaiter
	signal chan struct{}
}

type gateWaiter struct {
	ready chan struct{}
	done  bool // removed from the queue (served or given up)
}

func newGate(lim Limiter) *gate {
	return &gate{lim: lim, signal: make(chan struct{}, 1)}
}

// run serves waiters until ctx ends.
func (g *gate) run(ctx context.Context) {
	for {
		w := g.next()
		if w == nil {
			select {
			case <-ctx.Done():
				return
			case <-g.signal:
				continue
			}
		}
		if err := g.lim.WaitGlobal(ctx); err != nil {
			return
		}
		g.mu.Lock()
		w = g.popLocked()
		g.mu.Unlock()
		if w != nil {
			close(w.ready)
		}
	}
}

func (g *gate) next() *gateWaiter {
	g.mu.Lock()
	defer g.mu.Unlock()
	for lane := range g.queues {
		for len(g.queues[lane]) > 0 && g.queues[lane][0].done {
			g.queues[lane] = g.queues[lane][1:]
		}
		if len(g.queues[lane]) > 0 {
			return g.queues[lane][0]
		}
	}
	return nil
}

func (g *gate) popLocked() *gateWaiter {
	for lane := range g.queues {
		for len(g.queues[lane]) > 0 {
			w := g.queues[lane][0]
			g.queues[lane] = g.queues[lane][1:]
			if !w.done {
				w.done = true
				return w
			}
		}
	}
	return nil
}

// wait blocks until a slot is granted for a message of the given lane.
func (g *gate) wait(ctx context.Context, lane int) error {
	if lane < 0 || lane > 1 {
		lane = 1
	}
	w := &gateWaiter{ready: make(chan struct{})}
	g.mu.Lock()
	g.queues[lane] = append(g.queues[lane], w)
	g.mu.Unlock()
	select {
	case g.signal <- struct{}{}:
	default:
	}
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		served := w.done
		w.done = true
		g.mu.Unlock()
		if served {
			<-w.ready
		}
		return ctx.Err()
	}
}
