package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// health is whether Telegram takes the bot. A revoked token (401) or an
// endpoint without the Bot API (404) fails every call alike: sending pauses,
// messages stay pending, and getMe is tried every ProbeEvery until it works.
type health struct {
	mu      sync.Mutex
	err     error
	healed  chan struct{} // closed when err clears
	tripped chan struct{} // wakes the prober
}

// refusesBot reports whether an error says Telegram refuses the bot itself
// rather than one message.
func refusesBot(err error) bool {
	var apiErr *tgbotapi.Error
	return errors.As(err, &apiErr) && (apiErr.Code == http.StatusUnauthorized || apiErr.Code == http.StatusNotFound)
}

// Health reports why sending is paused (Telegram refuses the bot token or
// the endpoint), nil when it is not; for /readyz.
func (s *Sender) Health() error {
	s.health.mu.Lock()
	defer s.health.mu.Unlock()
	return s.health.err
}

// pausedCh returns a channel closed when sending may resume, nil when it
// is not paused.
func (h *health) pausedCh() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err == nil {
		return nil
	}
	return h.healed
}

// trip pauses sending after Telegram refused the bot.
func (s *Sender) trip(cause error) {
	h := &s.health
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil {
		return
	}
	h.err = fmt.Errorf("telegram refuses the bot (%s): check TELEGRAM_BOT_TOKEN and TELEGRAM_API_ENDPOINT; sending paused, messages kept, getMe tried every %v",
		describe(cause), s.cfg.ProbeEvery)
	h.healed = make(chan struct{})
	s.cfg.Logger.Error("sending paused", "err", h.err)
	select {
	case h.tripped <- struct{}{}:
	default:
	}
}

// probe tries getMe every ProbeEvery while sending is paused, and resumes
// sending once Telegram takes the bot again.
func (s *Sender) probe(ctx context.Context) {
	h := &s.health
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.tripped:
		}
		for s.Health() != nil {
			if sleepFor(ctx, s.cfg.ProbeEvery) != nil {
				return
			}
			callCtx, cancel := context.WithTimeout(ctx, s.callTimeout)
			_, err := Me(callCtx, s.cfg.Telegram)
			cancel()
			if err != nil {
				continue
			}
			h.mu.Lock()
			h.err = nil
			close(h.healed)
			h.mu.Unlock()
			s.cfg.Logger.Info("telegram takes the bot again; sending resumed")
		}
	}
}
