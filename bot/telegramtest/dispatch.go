package telegramtest

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// method is one Bot API method the fake implements.
type method struct {
	name string
	fn   func(*Server, *request) (any, *apiError)
	// polling methods are left alone by FailNext and HangNext (use the
	// ...Method variants to target them).
	polling bool
	// send methods count against rate limits and answer RetryAfterNext.
	send bool
}

// methods maps lower-case method names (Telegram ignores case) to handlers.
var methods map[string]*method

func init() {
	list := []*method{
		{name: "getMe", fn: (*Server).getMe, polling: true},
		{name: "getUpdates", fn: (*Server).getUpdates, polling: true},
		{name: "setWebhook", fn: (*Server).setWebhook},
		{name: "deleteWebhook", fn: (*Server).deleteWebhook},
		{name: "getWebhookInfo", fn: (*Server).getWebhookInfo},
		{name: "sendMessage", fn: (*Server).sendMessage, send: true},
		{name: "sendPhoto", fn: (*Server).sendPhoto, send: true},
		{name: "sendDocument", fn: (*Server).sendDocument, send: true},
		{name: "sendChatAction", fn: (*Server).sendChatAction},
		{name: "answerCallbackQuery", fn: (*Server).answerCallbackQuery},
		{name: "editMessageText", fn: (*Server).editMessageText, send: true},
		{name: "editMessageCaption", fn: (*Server).editMessageCaption},
		{name: "editMessageReplyMarkup", fn: (*Server).editMessageReplyMarkup},
		{name: "deleteMessage", fn: (*Server).deleteMessage},
		{name: "setMyCommands", fn: (*Server).setMyCommands},
		{name: "getMyCommands", fn: (*Server).getMyCommands},
		{name: "deleteMyCommands", fn: (*Server).deleteMyCommands},
	}
	methods = make(map[string]*method, len(list))
	for _, m := range list {
		methods[strings.ToLower(m.name)] = m
	}
}

// parsePath splits "/bot<token>/<method>".
func parsePath(path string) (token, name string, ok bool) {
	rest, ok := strings.CutPrefix(path, "/bot")
	if !ok {
		return "", "", false
	}
	token, name, ok = strings.Cut(rest, "/")
	return token, name, ok && name != ""
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	at := s.now()
	token, name, ok := parsePath(r.URL.Path)
	if !ok {
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	params, files, perr := readParams(r)
	m := methods[strings.ToLower(name)]
	call := Call{Method: name, Params: params, Files: files, Time: at}
	if m != nil {
		call.Method = m.name
	}

	var result []byte
	var e *apiError
	switch {
	case token != s.token:
		e = &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"}
	case m == nil:
		e = badRequest("method not found")
	case perr != nil:
		e = badRequest("can't parse request: %v", perr)
	default:
		result, e = s.invoke(m, &request{ctx: r.Context(), params: params, files: files})
	}

	switch {
	case e != nil:
		call.Status, call.Error = e.code, e.desc
		s.record(call)
		writeError(w, e)
	case result == nil: // hung, then cancelled or closed: no answer at all
		s.record(call)
		panic(http.ErrAbortHandler)
	default:
		call.Status = http.StatusOK
		s.record(call)
		writeResult(w, result)
	}
}

// invoke applies any injected fault, then runs the method and encodes its result.
// A nil result with a nil error means the call hung and must not be answered.
func (s *Server) invoke(m *method, req *request) ([]byte, *apiError) {
	if f, ok := s.takeFault(m, req); ok {
		switch f.kind {
		case faultDelay:
			select {
			case <-time.After(f.delay):
			case <-req.ctx.Done():
				return nil, nil
			case <-s.done:
				return nil, nil
			}
		case faultHang:
			select {
			case <-req.ctx.Done():
			case <-s.done:
			}
			return nil, nil
		case faultRetryAfter:
			return nil, tooManyRequests(f.seconds)
		case faultFail:
			return nil, statusError(f.status)
		}
	}
	res, e := m.fn(s, req)
	if e != nil || res == nil {
		return nil, e
	}
	if raw, ok := res.(json.RawMessage); ok {
		return raw, nil
	}
	b, err := json.Marshal(res)
	if err != nil {
		return nil, &apiError{code: http.StatusInternalServerError, desc: "Internal Server Error"}
	}
	return b, nil
}
