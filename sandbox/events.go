package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// events streams the page's state as server-sent events: the whole
// snapshot at once, then again at every change the fake Bot API or the
// sandbox sees. It ends when the app restarts; the browser reconnects.
func (s *Sandbox) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	s.mu.Lock()
	stop := s.stopPage
	s.mu.Unlock()
	fmt.Fprint(w, "retry: 500\n\n")
	var last []byte
	var seen [2]uint64
	keepAlive := time.NewTicker(15 * time.Second)
	defer keepAlive.Stop()
	poll := time.NewTicker(100 * time.Millisecond)
	defer poll.Stop()
	for {
		if now := s.changes(); now != seen {
			seen = now
			b, err := json.Marshal(s.snapshot())
			if err != nil {
				return
			}
			if !bytes.Equal(b, last) {
				last = b
				fmt.Fprintf(w, "data: %s\n\n", b)
				if rc.Flush() != nil {
					return
				}
			}
		}
		select {
		case <-r.Context().Done():
			return
		case <-stop:
			return
		case <-keepAlive.C:
			fmt.Fprint(w, ": keep-alive\n\n")
			if rc.Flush() != nil {
				return
			}
		case <-poll.C:
		}
	}
}

// changes counts what the page may need to show again: the fake Bot API's
// changes and the sandbox's own.
func (s *Sandbox) changes() [2]uint64 {
	f := s.currentFake()
	s.mu.Lock()
	v := s.version
	s.mu.Unlock()
	return [2]uint64{f.Changes(), v}
}

// baseContext is the sandbox's own, for work that outlives a request.
func (s *Sandbox) baseContext() context.Context { return s.ctx }
