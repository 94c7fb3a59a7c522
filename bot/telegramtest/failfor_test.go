package telegramtest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// FailFor fails sends for a while, then lets them through on its own.
func TestFailForEnds(t *testing.T) {
	srv := New(WithLimits(Limits{}))
	defer srv.Close()
	u := srv.User(42)
	srv.FailFor(300*time.Millisecond, 502)
	for range 2 {
		if status := rawSend(t, srv, u.ID()); status != 502 {
			t.Fatalf("send during the outage answered %d, want 502", status)
		}
	}
	time.Sleep(350 * time.Millisecond)
	if status := rawSend(t, srv, u.ID()); status != 200 {
		t.Fatalf("send after the outage answered %d, want 200", status)
	}
}

func rawSend(t *testing.T, srv *Server, chat int64) int {
	t.Helper()
	resp, err := http.PostForm(fmt.Sprintf(srv.Endpoint(), srv.Token(), "sendMessage"),
		url.Values{"chat_id": {strconv.FormatInt(chat, 10)}, "text": {"hello"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// RetryAfterFor answers 429 with the retry_after for a while, then lets
// sends through.
func TestRetryAfterForEnds(t *testing.T) {
	srv := New(WithLimits(Limits{}))
	defer srv.Close()
	u := srv.User(42)
	srv.RetryAfterFor(300*time.Millisecond, 10)
	if status := rawSend(t, srv, u.ID()); status != 429 {
		t.Fatalf("send during the burst answered %d, want 429", status)
	}
	time.Sleep(350 * time.Millisecond)
	if status := rawSend(t, srv, u.ID()); status != 200 {
		t.Fatalf("send after the burst answered %d, want 200", status)
	}
}

// DelayNext answers late but still accepts the send.
func TestDelayNextAccepts(t *testing.T) {
	srv := New(WithLimits(Limits{}))
	defer srv.Close()
	u := srv.User(42)
	srv.DelayNext("sendMessage", 1, 200*time.Millisecond)
	start := time.Now()
	if status := rawSend(t, srv, u.ID()); status != 200 {
		t.Fatalf("delayed send answered %d, want 200", status)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Fatalf("delayed send answered after %v, want at least 200ms", d)
	}
	if n := len(srv.Messages(u.ID())); n != 1 {
		t.Fatalf("%d messages in the chat, want 1", n)
	}
}
