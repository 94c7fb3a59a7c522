package telegramtest

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Limits says which of Telegram's limits the server enforces. The zero value
// enforces none; New starts with AllLimits.
type Limits struct {
	TextLength   bool // text 1–4096 characters after trimming, captions up to 1024
	CallbackData bool // inline buttons need an action; callback_data 1–64 bytes
	AnswerText   bool // answerCallbackQuery text up to 200 characters
	Entities     bool // text with parse_mode must parse ("can't parse entities")
	PerChatRate  bool // one message per RateLimits.PerChat in each chat
	GlobalRate   bool // RateLimits.Global messages per RateLimits.Window in all
}

// AllLimits enforces every limit, as Telegram does.
func AllLimits() Limits {
	return Limits{TextLength: true, CallbackData: true, AnswerText: true, Entities: true, PerChatRate: true, GlobalRate: true}
}

// RateLimits are the windows of the rate limits. Sends (sendMessage,
// sendPhoto, sendDocument, editMessageText) are counted when accepted; a send
// that would exceed a limit gets 429 with retry_after in whole seconds (at
// least 1). There is no burst allowance.
type RateLimits struct {
	PerChat time.Duration // minimum gap between two sends to one chat (Telegram: 1s)
	Global  int           // sends allowed in any Window across all chats (Telegram: 30)
	Window  time.Duration // window of the global limit (default 1s)
}

// DefaultRateLimits are Telegram's: 1 message/s per chat, 30 messages/s in all.
func DefaultRateLimits() RateLimits {
	return RateLimits{PerChat: time.Second, Global: 30, Window: time.Second}
}

// Limits returns the limits currently enforced.
func (s *Server) Limits() Limits {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limits
}

// SetLimits changes which limits are enforced, for example
// srv.SetLimits(telegramtest.Limits{}) to turn them all off.
func (s *Server) SetLimits(l Limits) {
	s.mu.Lock()
	s.limits = l
	s.mu.Unlock()
}

// SetRateLimits changes the rate windows and forgets past sends.
func (s *Server) SetRateLimits(r RateLimits) {
	s.mu.Lock()
	s.setRates(r)
	for _, c := range s.chats {
		c.lastSend = time.Time{}
	}
	s.mu.Unlock()
}

func (s *Server) setRates(r RateLimits) {
	if r.Window <= 0 {
		r.Window = time.Second
	}
	s.rates = r
	s.global = sendWindow{}
	if r.Global > 0 {
		s.global.times = make([]time.Time, r.Global)
	}
}

// sendWindow holds the times of the last Global accepted sends, oldest at head.
type sendWindow struct {
	times []time.Time
	head  int
	n     int
}

func (w *sendWindow) add(t time.Time) {
	if len(w.times) == 0 {
		return
	}
	if w.n < len(w.times) {
		w.times[(w.head+w.n)%len(w.times)] = t
		w.n++
		return
	}
	w.times[w.head] = t
	w.head = (w.head + 1) % len(w.times)
}

// rateLocked returns a 429 if a send to c now would break a rate limit.
// s.mu must be held.
func (s *Server) rateLocked(c *chat, now time.Time) *apiError {
	if s.limits.PerChatRate && s.rates.PerChat > 0 && !c.lastSend.IsZero() {
		if wait := c.lastSend.Add(s.rates.PerChat).Sub(now); wait > 0 {
			return tooManyRequests(retrySeconds(wait))
		}
	}
	if s.limits.GlobalRate && s.rates.Global > 0 && s.global.n == len(s.global.times) {
		if wait := s.global.times[s.global.head].Add(s.rates.Window).Sub(now); wait > 0 {
			return tooManyRequests(retrySeconds(wait))
		}
	}
	return nil
}

// acceptLocked counts an accepted send to c. s.mu must be held.
func (s *Server) acceptLocked(c *chat, now time.Time) {
	c.lastSend = now
	s.global.add(now)
}

func retrySeconds(d time.Duration) int {
	n := int((d + time.Second - 1) / time.Second)
	return max(n, 1)
}

// checkTextLocked enforces the length of a text (max 4096) or caption (max 1024),
// counted in characters after parsing and trimming.
func (s *Server) checkTextLocked(text, parseMode string, caption bool) (plain string, e *apiError) {
	if !validParseMode(parseMode) {
		return "", badRequest("unsupported parse_mode")
	}
	plain, err := plainText(text, parseMode)
	if err != "" {
		if s.limits.Entities {
			return "", badRequest("can't parse entities: %s", err)
		}
		plain = text
	}
	if !s.limits.TextLength {
		return plain, nil
	}
	n := utf8.RuneCountInString(strings.TrimSpace(plain))
	switch {
	case caption && n > 1024:
		return "", badRequest("message caption is too long")
	case caption:
	case n == 0:
		return "", badRequest("message text is empty")
	case n > 4096:
		return "", badRequest("message is too long")
	}
	return plain, nil
}
