package telegramtest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"
)

// webhook is the active setWebhook; its delivery goroutine stops with cancel.
type webhook struct {
	url     string
	secret  string
	maxConn int
	ctx     context.Context
	cancel  context.CancelFunc
}

func (w *webhook) stop() { w.cancel() }

type hookError struct {
	date    int64
	message string
}

// Delivery is one webhook POST attempt.
type Delivery struct {
	UpdateID int
	Time     time.Time
	Status   int    // HTTP status of the answer; 0 on a network error
	Err      string // network error, if any
}

func validSecret(s string) bool {
	if len(s) < 1 || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// setWebhook switches to webhook delivery. Unlike Telegram, any http or https
// URL on any port is accepted, so tests can point it at an httptest server.
func (s *Server) setWebhook(r *request) (any, *apiError) {
	raw := r.params["url"]
	if raw == "" {
		return s.deleteWebhook(r)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, badRequest("bad webhook: invalid webhook URL specified")
	}
	secret, hasSecret := r.params["secret_token"]
	if hasSecret && secret != "" && !validSecret(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	maxConn, err := r.int("max_connections", 40)
	if err != nil {
		return nil, badRequest("%v", err)
	}
	maxConn = min(max(maxConn, 1), 100)

	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.done:
		return nil, &apiError{code: http.StatusServiceUnavailable, desc: "Internal Server Error"}
	default:
	}
	if e := s.setAllowedLocked(r); e != nil {
		return nil, e
	}
	if r.bool("drop_pending_updates") {
		s.queue = nil
	}
	if s.hook != nil {
		s.hook.stop()
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &webhook{url: raw, secret: secret, maxConn: int(maxConn), ctx: ctx, cancel: cancel}
	s.hook = w
	s.hookError = hookError{}
	if s.poller != nil {
		close(s.poller.term)
		s.poller = nil
	}
	s.hookWG.Add(1)
	go s.deliver(w)
	s.notifyLocked()
	return true, nil
}

func (s *Server) deleteWebhook(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hook != nil {
		s.hook.stop()
		s.hook = nil
	}
	s.hookError = hookError{}
	if r.bool("drop_pending_updates") {
		s.queue = nil
	}
	s.notifyLocked()
	return true, nil
}

func (s *Server) getWebhookInfo(*request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := wireWebhookInfo{PendingUpdateCount: len(s.queue)}
	if s.hook != nil {
		info.URL = s.hook.url
		info.MaxConnections = s.hook.maxConn
		info.LastErrorDate = s.hookError.date
		info.LastErrorMessage = s.hookError.message
	}
	for k := range s.allowed {
		info.AllowedUpdates = append(info.AllowedUpdates, k)
	}
	sort.Strings(info.AllowedUpdates)
	return info, nil
}

// deliver POSTs pending updates to w one at a time, in order. An update
// leaves the queue only after a 2xx answer; anything else is retried after
// the backoff.
func (s *Server) deliver(w *webhook) {
	defer s.hookWG.Done()
	for {
		s.mu.Lock()
		if w.ctx.Err() != nil {
			s.mu.Unlock()
			return
		}
		if len(s.queue) == 0 {
			wake := s.newUpdateLocked()
			s.mu.Unlock()
			select {
			case <-wake:
			case <-w.ctx.Done():
				return
			}
			continue
		}
		p := s.queue[0]
		s.mu.Unlock()

		at := s.now()
		status, err := s.post(w, p.raw)

		s.mu.Lock()
		if w.ctx.Err() != nil {
			s.mu.Unlock()
			return
		}
		d := Delivery{UpdateID: p.id, Time: at, Status: status}
		ok := err == nil && status >= 200 && status < 300
		switch {
		case ok:
			s.removeUpdateLocked(p.id)
		case err != nil:
			d.Err = err.Error()
			s.hookError = hookError{date: at.Unix(), message: "Connection failed: " + err.Error()}
		default:
			s.hookError = hookError{date: at.Unix(), message: "Wrong response from the webhook: " + strconv.Itoa(status) + " " + http.StatusText(status)}
		}
		s.deliveries = append(s.deliveries, d)
		s.notifyLocked()
		s.mu.Unlock()

		if !ok {
			t := time.NewTimer(s.hookBackoff)
			select {
			case <-t.C:
			case <-w.ctx.Done():
				t.Stop()
				return
			}
		}
	}
}

// post sends one update to the webhook and returns the answer's status.
func (s *Server) post(w *webhook, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(w.ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if w.secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", w.secret)
	}
	resp, err := s.hookClient.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// removeUpdateLocked drops a delivered update. s.mu must be held.
func (s *Server) removeUpdateLocked(id int) {
	i := sort.Search(len(s.queue), func(i int) bool { return s.queue[i].id >= id })
	switch {
	case i == 0 && len(s.queue) > 0 && s.queue[0].id == id:
		s.queue = s.queue[1:]
	case i < len(s.queue) && s.queue[i].id == id:
		s.queue = append(s.queue[:i], s.queue[i+1:]...)
	}
	if len(s.queue) == 0 {
		s.queue = nil
	}
}

// Deliveries returns every webhook POST attempt so far, oldest first.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// WebhookURL is the webhook currently set, "" when polling.
func (s *Server) WebhookURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hook == nil {
		return ""
	}
	return s.hook.url
}
