package telegramtest

import (
	"time"
	"unicode/utf8"
)

// CallbackAnswer is the bot's answerCallbackQuery to a Press.
type CallbackAnswer struct {
	ID        string // callback query id, as Press returned it
	Text      string
	ShowAlert bool
	URL       string
	Time      time.Time
}

type callbackState struct {
	chatID   int64
	answered bool
}

func (s *Server) answerCallbackQuery(r *request) (any, *apiError) {
	id, text := r.params["callback_query_id"], r.params["text"]
	s.mu.Lock()
	defer s.mu.Unlock()
	cb := s.callbacks[id]
	if cb == nil || cb.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	if s.limits.AnswerText && utf8.RuneCountInString(text) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	cb.answered = true
	s.answers = append(s.answers, CallbackAnswer{
		ID: id, Text: text, ShowAlert: r.bool("show_alert"), URL: r.params["url"], Time: s.now(),
	})
	s.notifyLocked()
	return true, nil
}

// CallbackAnswers returns the bot's answers to callback queries, in order.
func (s *Server) CallbackAnswers() []CallbackAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CallbackAnswer(nil), s.answers...)
}

// Unanswered returns the ids of callback queries the bot has not answered
// (the user still sees a spinner), in press order.
func (s *Server) Unanswered() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range s.cbOrder {
		if !s.callbacks[id].answered {
			out = append(out, id)
		}
	}
	return out
}
