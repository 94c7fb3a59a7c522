package bot

import (
	"context"
	"sync"
	"time"
)

// Gate priorities: replies to known people, replies to strangers, bulk.
const (
	prioReply = iota
	prioStranger
	prioBulk
	prioCount
)

// departWait bounds how long the gate waits for a granted message to leave
// before it lets the next one go to the Limiter as well.
const departWait = time.Second

// gate lets this process's paced messages take their send slot one at a
// time, by priority, so a returnee answering never waits behind a wave of
// openers or of strangers' replies already claimed here. The next message
// goes to the Limiter only once the previous one has left.
type gate struct {
	mu     sync.Mutex
	queues [prioCount][]*gateWaiter
	signal chan struct{}
}

type gateWaiter struct {
	ready    chan struct{}
	departed chan struct{} // the granted message left or will not
	done     bool          // removed from the queue (served or given up)
}

func newGate() *gate {
	return &gate{signal: make(chan struct{}, 1)}
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
		g.mu.Lock()
		w = g.popLocked()
		g.mu.Unlock()
		if w == nil {
			continue
		}
		close(w.ready)
		timer := time.NewTimer(departWait)
		select {
		case <-w.departed:
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return
		}
		timer.Stop()
	}
}

func (g *gate) next() *gateWaiter {
	g.mu.Lock()
	defer g.mu.Unlock()
	for p := range g.queues {
		for len(g.queues[p]) > 0 && g.queues[p][0].done {
			g.queues[p] = g.queues[p][1:]
		}
		if len(g.queues[p]) > 0 {
			return g.queues[p][0]
		}
	}
	return nil
}

func (g *gate) popLocked() *gateWaiter {
	for p := range g.queues {
		for len(g.queues[p]) > 0 {
			w := g.queues[p][0]
			g.queues[p] = g.queues[p][1:]
			if !w.done {
				w.done = true
				return w
			}
		}
	}
	return nil
}

// queued counts the messages waiting for a slot at priorities up to prio.
func (g *gate) queued(prio int) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for p := 0; p <= prio && p < prioCount; p++ {
		for _, w := range g.queues[p] {
			if !w.done {
				n++
			}
		}
	}
	return n
}

// wait blocks until the message's turn comes, by priority. After it, depart
// must be called once the message left, or will not.
func (g *gate) wait(ctx context.Context, prio int) (depart func(), err error) {
	prio = min(max(prio, 0), prioCount-1)
	w := &gateWaiter{ready: make(chan struct{}), departed: make(chan struct{}, 1)}
	g.mu.Lock()
	g.queues[prio] = append(g.queues[prio], w)
	g.mu.Unlock()
	select {
	case g.signal <- struct{}{}:
	default:
	}
	depart = func() {
		select {
		case w.departed <- struct{}{}:
		default:
		}
	}
	select {
	case <-w.ready:
		return depart, nil
	case <-ctx.Done():
		g.mu.Lock()
		served := w.done
		w.done = true
		g.mu.Unlock()
		if served { // granted as we gave up: take it
			<-w.ready
			return depart, nil
		}
		return nil, ctx.Err()
	}
}
