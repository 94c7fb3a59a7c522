package replicas

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"sync"
	"testing"
	"time"

	"suivi/bot/telegramtest"
)

// sendRecord is one sendMessage a replica made, as its proxy saw it.
type sendRecord struct {
	replica    int
	chat       int64
	messageID  int    // the fake's message id when accepted, else 0
	text       string // the text as sent
	start, end time.Time
	status     int
	clientGone bool // the replica was gone when the answer came back
}

// callLog holds the sendMessage calls of every replica.
type callLog struct {
	mu   sync.Mutex
	recs []sendRecord
}

func (l *callLog) add(r sendRecord) {
	l.mu.Lock()
	l.recs = append(l.recs, r)
	l.mu.Unlock()
}

// copies counts the accepted sends of text to chat other than message id.
func (l *callLog) copies(chat int64, id int, text string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.recs {
		if r.chat == chat && r.status == 200 && r.messageID != id && r.text == text {
			n++
		}
	}
	return n
}

// byMessage finds the call that created message id in chat.
func (l *callLog) byMessage(chat int64, id int) (sendRecord, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.recs {
		if r.chat == chat && r.messageID == id {
			return r, true
		}
	}
	return sendRecord{}, false
}

// startProxy forwards replica idx's Bot API calls to the fake and records its
// sendMessage calls. A send is forwarded to its end even when the replica
// dies meanwhile, as Telegram would still deliver a message whose sender
// hung up; a long poll is cut with its caller, as Telegram's is.
func startProxy(t *testing.T, idx int, fake *telegramtest.Server, log *callLog) string {
	return newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		method := path.Base(r.URL.Path)
		ctx := r.Context()
		if method != "getUpdates" {
			ctx = context.WithoutCancel(ctx)
		}
		rec := sendRecord{replica: idx, start: time.Now()}
		req, _ := http.NewRequestWithContext(ctx, r.Method, fake.URL()+r.URL.Path, bytes.NewReader(body))
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		rec.end, rec.status = time.Now(), resp.StatusCode
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		w.Write(out)
		if method != "sendMessage" {
			return
		}
		form, _ := url.ParseQuery(string(body))
		rec.chat, _ = strconv.ParseInt(form.Get("chat_id"), 10, 64)
		rec.text = form.Get("text")
		var res struct {
			Result struct {
				MessageID int `json:"message_id"`
			} `json:"result"`
		}
		if json.Unmarshal(out, &res) == nil {
			rec.messageID = res.Result.MessageID
		}
		rec.clientGone = r.Context().Err() != nil
		log.add(rec)
	}))
}
