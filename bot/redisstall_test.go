package bot_test

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"suivi/bot"
	"suivi/bot/telegramtest"
	"suivi/storage"
	"suivi/storage/storagetest"
)

// stallingProxy forwards to the test Redis and can hold every answer back
// for a while, as a Redis (or this process) stalled for a moment would.
type stallingProxy struct {
	mu    sync.Mutex
	until time.Time
}

func (p *stallingProxy) stall(d time.Duration) {
	p.mu.Lock()
	p.until = time.Now().Add(d)
	p.mu.Unlock()
}

func (p *stallingProxy) held() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return time.Until(p.until)
}

func startStallingProxy(t *testing.T, target string) (*stallingProxy, string) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallingProxy{}
	go func() {
		for {
			client, err := l.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			go func() { io.Copy(server, client); server.Close() }()
			go func() {
				buf := make([]byte, 32<<10)
				for {
					n, err := server.Read(buf)
					if n > 0 {
						if d := p.held(); d > 0 {
							time.Sleep(d)
						}
						client.Write(buf[:n])
					}
					if err != nil {
						client.Close()
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return p, l.Addr().String()
}

// A Redis that stalls for a moment (answers late, but answers) costs the
// messages that waited on it their shared slot, not the shared pace: the
// breaker stays closed, so sending does not drop to the fallback rate for
// its cool-down.
func TestRedisStallDoesNotOpenTheBreaker(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	_, prefix := storagetest.NewRedis(t)
	proxy, addr := startStallingProxy(t, "127.0.0.1:6379")
	srv := telegramtest.New()
	defer srv.Close()
	const chats = 90
	for c := range chats {
		u := srv.User(int64(6100 + c))
		enqueue(t, db, storage.LaneBulk, u.ID(), "un")
	}
	lim := bot.NewRedisLimiter(bot.LimitConfig{Rate: 30, ChatInterval: time.Second}, productionRedis(t, addr), prefix, discard())
	s := newSender(db, srv, lim)
	go func() {
		for srv.Sent() < 5 {
			time.Sleep(5 * time.Millisecond)
		}
		proxy.stall(300 * time.Millisecond)
	}()
	start := time.Now()
	runUntil(t, s, func() bool { return outboxStatus(t, db)["sent"] == chats })
	elapsed := time.Since(start)
	if srv.Count429() != 0 {
		t.Fatalf("%d 429s", srv.Count429())
	}
	// At the shared pace (about 29/s) 90 messages take about 3 s; with the
	// breaker open for its 5 s cool-down at 7.5/s they would take over 6 s.
	if elapsed > 5*time.Second {
		t.Fatalf("90 messages took %s after a 300 ms stall: sending fell back to the local rate", elapsed.Round(time.Millisecond))
	}
	t.Logf("90 messages in %s with a 300 ms Redis stall", elapsed.Round(time.Millisecond))
}
