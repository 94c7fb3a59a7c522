package telegramtest

import (
	"context"
	"strings"
	"time"
)

// Call is one bot-side HTTP call as the server saw it.
type Call struct {
	Method string            // canonical method name, such as "sendMessage"
	Params map[string]string // form, multipart or JSON parameters (objects as JSON text)
	Files  []File            // uploaded files, for multipart calls
	Time   time.Time         // arrival, by the server's clock
	Status int               // HTTP status answered; 0 when the call hung and got none
	Error  string            // the error description when Status is not 200
}

// File is an uploaded file in a multipart call.
type File struct {
	Field string // form field, such as "photo" or "document"
	Name  string // file name the client gave
	Size  int64
	Data  []byte // its content (read whole, up to Telegram's 50 MB)
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	s.calls = append(s.calls, c)
	if c.Status == 429 {
		s.count429++
	}
	s.notifyLocked()
	s.mu.Unlock()
}

// Calls returns the recorded calls to method (case-insensitive), oldest
// first; an empty method returns every call.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || strings.EqualFold(c.Method, method) {
			out = append(out, c)
		}
	}
	return out
}

// ResetCalls forgets the recorded calls, for long benchmarks.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	s.calls = nil
	s.mu.Unlock()
}

// Count429 is how many calls were answered 429 Too Many Requests, whether by
// a rate limit or by RetryAfterNext/FailNext.
func (s *Server) Count429() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count429
}

// WaitFor blocks until cond returns true or ctx ends. cond is checked at once
// and again after every change the server sees (a call, an update, a message),
// so it may call the Server's methods but must not block.
func (s *Server) WaitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changedLocked()
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			if cond() {
				return nil
			}
			return ErrClosed
		}
	}
}
