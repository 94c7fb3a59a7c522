package telegramtest

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

type faultKind int

const (
	faultFail faultKind = iota
	faultHang
	faultRetryAfter
	faultDelay
)

// fault is an injected misbehaviour for the next n matching calls.
type fault struct {
	method  string // "" matches the default set of the kind
	n       int
	kind    faultKind
	status  int
	seconds int
	skip    int           // matching calls to let through before the fault applies
	all     bool          // matches every method, getMe and getUpdates too
	chat    string        // only calls about this chat_id
	delay   time.Duration // for faultDelay: answer this much later
	until   time.Time     // when set, the fault ends then, whatever n is left
}

// matches reports whether f applies to a call of m. Without a method, failures
// and hangs hit every method but getMe and getUpdates, and RetryAfterNext hits
// the rate-counted sends.
func (f *fault) matches(m *method, r *request) bool {
	switch {
	case f.chat != "":
		return r != nil && r.params["chat_id"] == f.chat
	case f.all:
		return true
	case f.method != "":
		return strings.EqualFold(f.method, m.name)
	case f.kind == faultRetryAfter:
		return m.send
	}
	return !m.polling
}

func (s *Server) addFault(f *fault) {
	if f.n <= 0 {
		return
	}
	s.mu.Lock()
	s.faults = append(s.faults, f)
	s.mu.Unlock()
}

// takeFault consumes one use of the first fault matching a call of m.
func (s *Server) takeFault(m *method, r *request) (fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.faults = slices.DeleteFunc(s.faults, func(f *fault) bool { return !f.until.IsZero() && !now.Before(f.until) })
	for i, f := range s.faults {
		if !f.matches(m, r) {
			continue
		}
		if f.skip > 0 {
			f.skip--
			return fault{}, false
		}
		f.n--
		if f.n == 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return *f, true
	}
	return fault{}, false
}

// FailNext makes the next n bot calls (any method but getMe and getUpdates)
// answer status with Telegram's error JSON ("Internal Server Error" for 5xx).
func (s *Server) FailNext(n, status int) {
	s.addFault(&fault{n: n, kind: faultFail, status: status})
}

// FailNextMethod makes the next n calls to method (any method, getUpdates
// included) answer status.
func (s *Server) FailNextMethod(method string, n, status int) {
	s.addFault(&fault{method: method, n: n, kind: faultFail, status: status})
}

// HangNext makes the next n bot calls (any method but getMe and getUpdates)
// never answer, until the client gives up or the server closes: a timeout.
func (s *Server) HangNext(n int) {
	s.addFault(&fault{n: n, kind: faultHang})
}

// HangMethodAfter lets skip calls to method through, then makes the next n
// hang: for example the getUpdates that would confirm an update.
func (s *Server) HangMethodAfter(method string, skip, n int) {
	s.addFault(&fault{method: method, n: n, kind: faultHang, skip: skip})
}

// HangNextMethod makes the next n calls to method hang.
func (s *Server) HangNextMethod(method string, n int) {
	s.addFault(&fault{method: method, n: n, kind: faultHang})
}

// RetryAfterNext makes the next n sends (sendMessage, sendPhoto, sendDocument,
// editMessageText) answer 429 with retry_after seconds.
func (s *Server) RetryAfterNext(n, seconds int) {
	s.addFault(&fault{n: n, kind: faultRetryAfter, seconds: max(seconds, 1)})
}

// FailAll makes every call, getMe and getUpdates included, answer status
// until ClearFaults: 401 is a revoked token, 404 a wrong endpoint.
func (s *Server) FailAll(status int) {
	s.addFault(&fault{n: math.MaxInt, kind: faultFail, status: status, all: true})
}

// FailFor makes every bot call but getMe and getUpdates answer status from
// now until d has passed: an outage of the Bot API that ends by itself.
func (s *Server) FailFor(d time.Duration, status int) {
	s.addFault(&fault{n: math.MaxInt, kind: faultFail, status: status, until: s.now().Add(d)})
}

// RetryAfterFor makes every send (sendMessage, sendPhoto, sendDocument,
// editMessageText) answer 429 with retry_after seconds from now until d has
// passed: a burst of flood control that ends by itself.
func (s *Server) RetryAfterFor(d time.Duration, seconds int) {
	s.addFault(&fault{n: math.MaxInt, kind: faultRetryAfter, seconds: max(seconds, 1), until: s.now().Add(d)})
}

// DelayNext makes the next n calls to method answer d later than they
// would, without changing what they do: calls in flight when their caller
// dies, for example.
func (s *Server) DelayNext(method string, n int, d time.Duration) {
	s.addFault(&fault{method: method, n: n, kind: faultDelay, delay: d})
}

// DelayChat makes the next n calls about chatID answer d later than they
// would (a slow call), without changing what they do.
func (s *Server) DelayChat(chatID int64, n int, d time.Duration) {
	s.addFault(&fault{n: n, kind: faultDelay, chat: strconv.FormatInt(chatID, 10), delay: d})
}

// ClearFaults forgets every pending injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

// Forbid makes every call about chatID answer 403 "Forbidden: bot was blocked
// by the user", without the my_chat_member update User.Block sends. chatID
// need not belong to a User.
func (s *Server) Forbid(chatID int64) {
	s.mu.Lock()
	s.chatLocked(chatID).forbidden = true
	s.mu.Unlock()
}

// Allow undoes Forbid.
func (s *Server) Allow(chatID int64) {
	s.mu.Lock()
	if c := s.chats[chatID]; c != nil {
		c.forbidden = false
	}
	s.mu.Unlock()
}
