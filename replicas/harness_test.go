package replicas

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"suivi/bot/telegramtest"
	"suivi/storage/storagetest"
)

// suiviBin is the `suivi` binary every replica runs, built once by TestMain.
var suiviBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "suivi-replicas-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	suiviBin = filepath.Join(dir, "suivi")
	build := exec.Command("go", "build", "-o", suiviBin, "suivi/cmd/suivi")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build suivi:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// webhookSecret is the secret every replica registers with the fake.
const webhookSecret = "replicas-test-secret"

// clusterOptions say what a cluster runs on; zero values pick a fresh test
// database, a private redis-server and long polling.
type clusterOptions struct {
	replicas int
	webhook  bool
	dsn      string // PostgreSQL; "" for a fresh test database
	redisURL string // Redis; "" for a private redis-server
	fake     *telegramtest.Server
}

// cluster is several `suivi serve` processes sharing one database, one Redis
// and the fake Telegram. Each replica talks to the fake through its own
// recording proxy, so every accepted send is known by the replica that made
// it; in webhook mode a balancer in front of the replicas spreads Telegram's
// deliveries over them.
type cluster struct {
	t        *testing.T
	dsn      string
	db       *sql.DB
	redisURL string
	fake     *telegramtest.Server
	webhook  bool
	calls    *callLog
	proxies  []string // base URL of each replica's proxy to the fake
	lb       *balancer
	replicas []*replica
}

func newCluster(t *testing.T, o clusterOptions) *cluster {
	t.Helper()
	if o.replicas == 0 {
		o.replicas = 3
	}
	c := &cluster{t: t, dsn: o.dsn, redisURL: o.redisURL, fake: o.fake, webhook: o.webhook, calls: &callLog{}}
	if c.dsn == "" {
		c.db, c.dsn = storagetest.NewDatabase(t)
	} else {
		c.db = openDB(t, c.dsn)
	}
	if c.redisURL == "" {
		c.redisURL = startRedis(t).url()
	}
	if c.fake == nil {
		c.fake = telegramtest.New()
		t.Cleanup(c.fake.Close)
	}
	for i := range o.replicas {
		c.proxies = append(c.proxies, startProxy(t, i, c.fake, c.calls))
	}
	if o.webhook {
		c.lb = startBalancer(t)
	}
	for i := range o.replicas {
		c.replicas = append(c.replicas, c.start(i))
	}
	for _, r := range c.replicas {
		r.waitReady(t)
	}
	return c
}

// replica is one `suivi serve` process.
type replica struct {
	idx    int
	cmd    *exec.Cmd
	addr   string
	log    string
	done   chan struct{}
	killed atomic.Bool
}

func (c *cluster) start(i int) *replica {
	t := c.t
	flowsDir, err := filepath.Abs("testdata/flows")
	if err != nil {
		t.Fatal(err)
	}
	r := &replica{idx: i, addr: freeAddr(t), log: filepath.Join(t.TempDir(), fmt.Sprintf("replica%d.log", i)), done: make(chan struct{})}
	logFile, err := os.Create(r.log)
	if err != nil {
		t.Fatal(err)
	}
	r.cmd = exec.Command(suiviBin, "serve")
	r.cmd.Env = append(os.Environ(),
		"DATABASE_URL="+c.dsn, "REDIS_URL="+c.redisURL,
		"TELEGRAM_BOT_TOKEN="+c.fake.Token(), "TELEGRAM_API_ENDPOINT="+c.proxies[i]+"/bot%s/%s",
		"SUIVI_HTTP_ADDR="+r.addr, "SUIVI_FLOWS_DIR="+flowsDir, "SUIVI_LOG_LEVEL=warn",
		"TELEGRAM_WEBHOOK_URL=", "TELEGRAM_WEBHOOK_SECRET=", "SUIVI_SANDBOX=")
	if c.webhook {
		c.lb.add(r)
		r.cmd.Env = append(r.cmd.Env, "TELEGRAM_WEBHOOK_URL="+c.lb.url+"/telegram/webhook", "TELEGRAM_WEBHOOK_SECRET="+webhookSecret)
	}
	r.cmd.Stdout, r.cmd.Stderr = logFile, logFile
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start suivi serve: %v", err)
	}
	go func() { r.cmd.Wait(); logFile.Close(); close(r.done) }()
	t.Cleanup(func() {
		r.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-r.done:
		case <-time.After(40 * time.Second):
			r.cmd.Process.Kill()
			<-r.done
		}
		if t.Failed() {
			out, _ := os.ReadFile(r.log)
			t.Logf("replica %d log (last 3000 bytes):\n%s", r.idx, tail(out, 3000))
		}
	})
	return r
}

// kill ends the replica with SIGKILL: no shutdown, calls in flight cut.
func (r *replica) kill() {
	r.killed.Store(true)
	r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.done
}

func (r *replica) alive() bool {
	select {
	case <-r.done:
		return false
	default:
		return true
	}
}

func (r *replica) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if !r.alive() {
			out, _ := os.ReadFile(r.log)
			t.Fatalf("replica %d exited at start:\n%s", r.idx, tail(out, 3000))
		}
		resp, err := http.Get("http://" + r.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("replica %d did not become ready in 60 s", r.idx)
}

// balancer spreads webhook deliveries over the replicas in turn, skipping
// one that does not answer, as a load balancer in front of them would.
type balancer struct {
	url      string
	mu       sync.Mutex
	replicas []*replica
	next     int
	served   []int
}

func startBalancer(t *testing.T) *balancer {
	b := &balancer{}
	srv := newServer(t, http.HandlerFunc(b.serve))
	b.url = srv
	return b
}

func (b *balancer) add(r *replica) {
	b.mu.Lock()
	b.replicas = append(b.replicas, r)
	b.served = append(b.served, 0)
	b.mu.Unlock()
}

func (b *balancer) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	b.mu.Lock()
	n := len(b.replicas)
	b.mu.Unlock()
	for range n {
		b.mu.Lock()
		target := b.replicas[b.next%n]
		b.next++
		b.mu.Unlock()
		if !target.alive() {
			continue
		}
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, "http://"+target.addr+r.URL.Path, bytes.NewReader(body))
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		b.mu.Lock()
		b.served[target.idx]++
		b.mu.Unlock()
		w.WriteHeader(resp.StatusCode)
		return
	}
	http.Error(w, "no replica answered", http.StatusBadGateway)
}

// spread is how many deliveries each replica answered.
func (b *balancer) spread() []int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]int(nil), b.served...)
}

func newServer(t *testing.T, h http.Handler) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(l)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return "http://" + l.Addr().String()
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func openDB(t *testing.T, dsn string) *sql.DB {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.TrimSpace(string(b))
}
