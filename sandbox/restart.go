package sandbox

import (
	"context"
	"fmt"
	"net"

	"suivi/app"
	"suivi/storage"
)

// loop runs the app, and starts it again on a reload or reset.
func (s *Sandbox) loop(ctx context.Context) error {
	listener := s.opts.Listener
	for {
		if listener == nil && s.opts.Listener != nil {
			// The last app's server closed the listener: listen again on
			// the same address, so the page's address does not change.
			var err error
			if listener, err = net.Listen("tcp", s.opts.Listener.Addr().String()); err != nil {
				return fmt.Errorf("sandbox: listen again: %w", err)
			}
		}
		a, err := app.New(ctx, s.cfg, app.Options{Logger: s.opts.Logger, Now: s.clock.Now, Fake: s.currentFake(),
			Routes: s.routes, Listener: listener})
		if err != nil {
			return err
		}
		listener = nil
		stop := make(chan struct{})
		s.mu.Lock()
		s.app, s.stopPage = a, stop
		s.version++
		s.mu.Unlock()
		runCtx, cancel := context.WithCancel(ctx)
		ran := make(chan error, 1)
		go func() { ran <- a.Run(runCtx) }()
		// What is already due (alerts of the seed) shows at once, not at
		// cron's next minute.
		go func() {
			if a.Addr() != "" && runCtx.Err() == nil {
				a.Scheduler.RunNow(runCtx)
			}
		}()
		url := "http://" + a.Addr() + "/sandbox"
		fmt.Fprintf(s.opts.Out, "\n  Suivi sandbox: open %s\n\n", url)
		if s.opts.Ready != nil {
			s.opts.Ready(url)
		}
		if !isLoopback(a.Addr()) {
			s.log.Warn("the sandbox page is served beyond this machine (SUIVI_HTTP_ADDR); anyone who reaches it can play every user")
		}
		var req restart
		var runErr error
		stopped := false
		select {
		case <-ctx.Done():
		case req = <-s.restart:
		case runErr = <-ran:
			stopped = true
		}
		close(stop) // the page's event streams end, so the server stops at once
		s.mu.Lock()
		s.app = nil // the page shows the restart; the clock waits for the next app
		s.mu.Unlock()
		cancel()
		if !stopped {
			runErr = <-ran
		}
		a.Close()
		if req.done == nil {
			return runErr
		}
		if req.wipe {
			if err := s.resetData(ctx); err != nil {
				close(req.done)
				return err
			}
		}
		close(req.done)
	}
}

// resetData empties the database, puts the clock back and seeds again,
// with a fresh fake Bot API (empty chats).
func (s *Sandbox) resetData(ctx context.Context) error {
	if err := wipe(ctx, s.db); err != nil {
		return err
	}
	if _, err := storage.Migrate(ctx, s.db); err != nil {
		return err
	}
	if _, err := loadState(ctx, s.db); err != nil {
		return err
	}
	s.clock.reset()
	old := s.currentFake()
	s.mu.Lock()
	s.typed = map[int64][]typedMessage{}
	s.mu.Unlock()
	s.newFake()
	old.Close()
	return s.seed(ctx)
}

// requestRestart asks the loop for a new app and waits until it serves;
// a clock move waits for it, and it for a clock move.
func (s *Sandbox) requestRestart(ctx context.Context, wipe bool) error {
	s.busy.Lock()
	defer s.busy.Unlock()
	req := restart{wipe: wipe, done: make(chan struct{})}
	select {
	case s.restart <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-req.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
