package bot_test

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"suivi/bot"
	"suivi/bot/telegramtest"
	"suivi/flows"
	"suivi/followup"
	"suivi/lease"
	"suivi/storage/storagetest"
)

// countingTransport counts one replica's getUpdates calls.
type countingTransport struct{ polls atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/getUpdates") {
		c.polls.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// crashed is a lease whose holder dies: it never releases, so the lease
// lives on until its time-to-live ends.
type crashed struct{ lease.Lease }

func (crashed) Release(context.Context) {}

func newRouter(t *testing.T, db *sql.DB) *bot.Router {
	t.Helper()
	cat, err := flows.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	conv := &followup.Conversations{Flows: cat, Texts: cat.Texts, Now: time.Now, Logger: discard()}
	return &bot.Router{DB: db, Texts: cat.Texts, Logger: discard(), Now: time.Now,
		Returnees: &bot.ReturneeHandler{Conv: conv}}
}

// Two replicas poll one bot: only the lease holder calls getUpdates (so
// Telegram never answers 409), and when it dies without releasing the lease
// the other takes over once the lease expires; updates keep flowing.
func TestOnePollingReplicaAndTakeoverAfterACrash(t *testing.T) {
	for _, mode := range []string{"table", "redis", "advisory"} {
		t.Run(mode, func(t *testing.T) {
			db, _ := storagetest.NewDatabase(t)
			fake := telegramtest.New()
			t.Cleanup(fake.Close)
			router := newRouter(t, db)
			ttl := 1500 * time.Millisecond
			var kill func()
			newLease := func() lease.Lease { return lease.NewTable(db, "intake:poller", ttl, nil) }
			switch mode {
			case "redis":
				rdb, prefix := storagetest.NewRedis(t)
				newLease = func() lease.Lease { return lease.NewRedis(rdb, prefix+"intake:poller", ttl, nil) }
			case "advisory":
				newLease = func() lease.Lease { return lease.NewAdvisory(db, 0x706f6c6c, nil) }
				// A dead process's session ends with it, and its lock with it.
				kill = func() {
					db.Exec(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1`, 0x706f6c6c)
				}
			}
			type replica struct {
				tr     *countingTransport
				cancel context.CancelFunc
				done   chan struct{}
			}
			start := func() *replica {
				r := &replica{tr: &countingTransport{}, done: make(chan struct{})}
				ctx, cancel := context.WithCancel(context.Background())
				r.cancel = cancel
				p := &bot.Poller{Telegram: bot.NewClient(fake.Token(), fake.Endpoint(), r.tr), Handler: router,
					Logger: discard(), Timeout: time.Second, Lease: crashed{newLease()}, LeaseTTL: ttl}
				go func() { p.Run(ctx); close(r.done) }()
				t.Cleanup(func() { cancel(); <-r.done })
				return r
			}
			a, b := start(), start()
			send := func(from, n int64) {
				for i := range n {
					fake.User(from + i).SendText("bonjour")
				}
			}
			handled := func() int {
				var n int
				db.QueryRow(`SELECT count(*) FROM telegram_updates`).Scan(&n)
				return n
			}
			send(9000, 20)
			waitUntil(t, "the first updates to be handled", func() bool { return handled() == 20 })
			time.Sleep(ttl) // several renewals and stand-by attempts
			leader, standby := a, b
			if b.tr.polls.Load() > 0 {
				leader, standby = b, a
			}
			if a.tr.polls.Load() > 0 && b.tr.polls.Load() > 0 {
				t.Fatalf("both replicas polled (%d and %d getUpdates calls)", a.tr.polls.Load(), b.tr.polls.Load())
			}
			// The leader dies without releasing its lease.
			leader.cancel()
			<-leader.done
			if kill != nil {
				kill()
			}
			send(9100, 20)
			waitUntil(t, "the other replica to take over", func() bool { return handled() == 40 })
			if standby.tr.polls.Load() == 0 {
				t.Fatal("the stand-by replica never polled")
			}
			waitUntil(t, "every update to be confirmed", func() bool { return fake.PendingUpdates() == 0 })
			for _, c := range fake.Calls("getUpdates") {
				if c.Status == http.StatusConflict {
					t.Fatalf("Telegram answered 409 to a getUpdates: two replicas polled at once (%s)", c.Error)
				}
			}
		})
	}
}
