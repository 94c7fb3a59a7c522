package sandbox

import (
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"suivi/bot/telegramtest"
)

//go:embed static
var static embed.FS

// routes adds the page and its calls to the app's HTTP server.
func (s *Sandbox) routes(mux *http.ServeMux) {
	sub, _ := fs.Sub(static, "static")
	files := http.FileServerFS(sub)
	mux.Handle("GET /sandbox/static/", http.StripPrefix("/sandbox/static/", files))
	mux.HandleFunc("GET /sandbox", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, sub, "index.html")
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/sandbox", http.StatusFound)
	})
	mux.HandleFunc("GET /sandbox/events", s.events)
	mux.HandleFunc("GET /sandbox/state", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.snapshot())
	})
	mux.Handle("POST /sandbox/send", jsonOnly(s.send))
	mux.Handle("POST /sandbox/press", jsonOnly(s.press))
	mux.Handle("POST /sandbox/clock", jsonOnly(s.moveClock))
	mux.Handle("POST /sandbox/reset", jsonOnly(s.reset))
	mux.Handle("POST /sandbox/flows/reload", jsonOnly(s.reloadFlows))
	mux.HandleFunc("GET /sandbox/documents/{chat}/{message}", s.document)
}

// jsonOnly refuses calls that are not JSON: a browser sends JSON to another
// site only after asking it (CORS), which the sandbox never allows, so
// another page open in the same browser cannot play the users or reset.
func jsonOnly(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			problem(w, http.StatusUnsupportedMediaType, "Content-Type: application/json expected")
			return
		}
		h(w, r)
	})
}

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// problem answers a refused request with a message naming what was wrong.
func problem(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// decode reads a small JSON body into v.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		problem(w, http.StatusBadRequest, "request body: "+err.Error())
		return false
	}
	return true
}

// chatUser finds the page's user for a chat id: only the people of the seed
// can be played.
func (s *Sandbox) chatUser(w http.ResponseWriter, chat int64) (*telegramtest.User, bool) {
	s.mu.Lock()
	people, f := s.people, s.fake
	s.mu.Unlock()
	for _, p := range people.all() {
		if p.TelegramID == chat {
			return f.User(chat), true
		}
	}
	problem(w, http.StatusNotFound, "chat: no sandbox user has chat "+strconv.FormatInt(chat, 10))
	return nil, false
}

// send types a message as a user: {"chat": 9001, "text": "/start TOKEN"}.
func (s *Sandbox) send(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Chat int64  `json:"chat"`
		Text string `json:"text"`
	}
	if !decode(w, r, &in) {
		return
	}
	in.Text = strings.TrimSpace(in.Text)
	if in.Text == "" || len(in.Text) > 4096 {
		problem(w, http.StatusBadRequest, "text: between 1 and 4096 characters")
		return
	}
	u, ok := s.chatUser(w, in.Chat)
	if !ok {
		return
	}
	id := u.SendText(in.Text)
	s.mu.Lock()
	s.typed[in.Chat] = append(s.typed[in.Chat], typedMessage{ID: id, Text: in.Text, Date: s.clock.Now()})
	s.version++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]int{"message": id})
}

// press presses an inline button: {"chat": 9001, "message": 3, "data": "…"}.
func (s *Sandbox) press(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Chat    int64  `json:"chat"`
		Message int    `json:"message"`
		Data    string `json:"data"`
	}
	if !decode(w, r, &in) {
		return
	}
	if in.Data == "" || in.Message <= 0 {
		problem(w, http.StatusBadRequest, "message and data: the button's message id and callback data are required")
		return
	}
	u, ok := s.chatUser(w, in.Chat)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"query": u.Press(in.Message, in.Data)})
}

// moveClock advances the clock: {"step": "hour"|"day"|"week"|"month"}.
func (s *Sandbox) moveClock(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Step string `json:"step"`
	}
	if !decode(w, r, &in) {
		return
	}
	if err := s.advance(r.Context(), in.Step); err != nil {
		problem(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"clock": s.clock.Now().Format(time.RFC3339)})
}

// reset wipes the sandbox's data and starts again from the seed. The app
// restarts, so the answer goes before; the page reconnects by itself.
func (s *Sandbox) reset(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "restarting"})
	go func() {
		time.Sleep(50 * time.Millisecond) // let the answer leave before the server stops
		if err := s.requestRestart(s.baseContext(), true); err != nil {
			s.log.Warn("sandbox reset failed", "err", err)
		}
	}()
}

// document downloads a document the bot sent, from the fake Bot API.
func (s *Sandbox) document(w http.ResponseWriter, r *http.Request) {
	chat, err1 := strconv.ParseInt(r.PathValue("chat"), 10, 64)
	id, err2 := strconv.Atoi(r.PathValue("message"))
	if err := errors.Join(err1, err2); err != nil {
		problem(w, http.StatusBadRequest, "chat and message: numbers expected")
		return
	}
	doc, ok := s.currentFake().Document(chat, id)
	if !ok {
		problem(w, http.StatusNotFound, "no document uploaded as message "+r.PathValue("message")+" in chat "+r.PathValue("chat"))
		return
	}
	w.Header().Set("Content-Type", doc.MimeType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(doc.FileName, `"`, "")+`"`)
	w.Write(doc.Data)
}
