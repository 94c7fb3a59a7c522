package telegramtest

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sort"
	"time"
)

// pendingUpdate is an update waiting for getUpdates or the webhook.
type pendingUpdate struct {
	id   int
	kind string
	raw  []byte
}

// poller is an active getUpdates call; a newer one closes term.
type poller struct {
	term chan struct{}
}

var (
	errWebhookActive = &apiError{code: http.StatusConflict,
		desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	errTerminated = &apiError{code: http.StatusConflict,
		desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
)

// enqueueLocked gives u the next update id and queues it, unless its type is
// outside allowed_updates (Telegram then never stores it). s.mu must be held.
func (s *Server) enqueueLocked(u *wireUpdate) int {
	s.lastUpdateID++
	u.UpdateID = s.lastUpdateID
	raw, _ := json.Marshal(u)
	s.pushLocked(pendingUpdate{id: u.UpdateID, kind: u.kind(), raw: raw})
	return u.UpdateID
}

func (s *Server) pushLocked(p pendingUpdate) {
	if s.allowed == nil || s.allowed[p.kind] {
		s.queue = append(s.queue, p)
		if s.newUpdate != nil {
			close(s.newUpdate)
			s.newUpdate = nil
		}
	}
	s.notifyLocked()
}

// newUpdateLocked returns a channel closed when the next update is queued.
func (s *Server) newUpdateLocked() <-chan struct{} {
	if s.newUpdate == nil {
		s.newUpdate = make(chan struct{})
	}
	return s.newUpdate
}

// setAllowedLocked applies an allowed_updates parameter: an empty list means
// every type again. s.mu must be held.
func (s *Server) setAllowedLocked(r *request) *apiError {
	raw, ok := r.json("allowed_updates")
	if !ok {
		return nil
	}
	var kinds []string
	if err := json.Unmarshal([]byte(raw), &kinds); err != nil {
		return badRequest("can't parse allowed updates JSON array")
	}
	if len(kinds) == 0 {
		s.allowed = nil
		return nil
	}
	s.allowed = make(map[string]bool, len(kinds))
	for _, k := range kinds {
		s.allowed[k] = true
	}
	return nil
}

// confirmLocked forgets the updates getUpdates' offset confirms: those below
// a positive offset, all but the last -offset for a negative one.
func (s *Server) confirmLocked(offset int64) {
	switch {
	case offset > 0:
		i := sort.Search(len(s.queue), func(i int) bool { return int64(s.queue[i].id) >= offset })
		s.queue = s.queue[i:]
	case offset < 0 && int64(len(s.queue)) > -offset:
		s.queue = s.queue[len(s.queue)-int(-offset):]
	}
	if len(s.queue) == 0 {
		s.queue = nil // let the backing array go
	}
}

// batchLocked encodes up to limit pending updates from offset as a JSON array.
func (s *Server) batchLocked(offset int64, limit int) json.RawMessage {
	i := sort.Search(len(s.queue), func(i int) bool { return int64(s.queue[i].id) >= offset })
	q := s.queue[i:min(len(s.queue), i+limit)]
	if len(q) == 0 {
		return json.RawMessage("[]")
	}
	n := 1
	for _, p := range q {
		n += len(p.raw) + 1
	}
	buf := make([]byte, 0, n)
	for j, p := range q {
		if j == 0 {
			buf = append(buf, '[')
		} else {
			buf = append(buf, ',')
		}
		buf = append(buf, p.raw...)
	}
	return append(buf, ']')
}

// getUpdates long-polls: it answers as soon as an update is pending, or with
// [] after timeout seconds.
func (s *Server) getUpdates(r *request) (any, *apiError) {
	offset, err := r.int("offset", 0)
	if err != nil {
		return nil, badRequest("%v", err)
	}
	limit, err := r.int("limit", 100)
	if err != nil {
		return nil, badRequest("%v", err)
	}
	limit = min(max(limit, 1), 100)
	timeout, err := r.int("timeout", 0)
	if err != nil {
		return nil, badRequest("%v", err)
	}

	s.mu.Lock()
	if s.hook != nil {
		s.mu.Unlock()
		return nil, errWebhookActive
	}
	if e := s.setAllowedLocked(r); e != nil {
		s.mu.Unlock()
		return nil, e
	}
	s.confirmLocked(offset)
	if offset < 0 {
		offset = 0
	}
	me := &poller{term: make(chan struct{})}
	if s.poller != nil {
		close(s.poller.term)
	}
	s.poller = me
	s.notifyLocked()
	defer func() {
		s.mu.Lock()
		if s.poller == me {
			s.poller = nil
		}
		s.mu.Unlock()
	}()

	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Second)
		defer t.Stop()
		expired = t.C
	}
	for {
		batch := s.batchLocked(offset, int(limit))
		if len(batch) > 2 || timeout <= 0 {
			s.mu.Unlock()
			return batch, nil
		}
		wake := s.newUpdateLocked()
		s.mu.Unlock()
		select {
		case <-wake:
		case <-me.term:
			s.mu.Lock()
			hooked := s.hook != nil
			s.mu.Unlock()
			if hooked {
				return nil, errWebhookActive
			}
			return nil, errTerminated
		case <-expired:
			return json.RawMessage("[]"), nil
		case <-s.done:
			return json.RawMessage("[]"), nil
		case <-r.ctx.Done():
			return nil, nil // the client is gone: no answer
		}
		s.mu.Lock()
	}
}

// InjectUpdate queues an arbitrary update, to test how the bot copes with
// unusual or malformed input. raw must be a JSON object; its update_id is
// replaced by the next id, which InjectUpdate returns. The update's type (for
// allowed_updates) is its alphabetically first key other than update_id.
func (s *Server) InjectUpdate(raw json.RawMessage) (int, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return 0, errors.New("telegramtest: InjectUpdate needs a JSON object")
	}
	delete(obj, "update_id")
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	kind := ""
	if len(keys) > 0 {
		kind = keys[0]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastUpdateID++
	id := s.lastUpdateID
	obj["update_id"], _ = json.Marshal(id)
	b, err := json.Marshal(obj)
	if err != nil {
		return 0, err
	}
	s.pushLocked(pendingUpdate{id: id, kind: kind, raw: b})
	return id, nil
}

// PendingUpdates is how many updates wait for getUpdates confirmation or a
// successful webhook delivery.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// LastUpdateID is the id of the latest update created (0 before any).
func (s *Server) LastUpdateID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastUpdateID
}
