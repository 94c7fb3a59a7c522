package replicas

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisServer is a throwaway redis-server on its own port, which the fault
// tests stop, start and freeze; the shared server on 6379 is never touched.
type redisServer struct {
	t    *testing.T
	port string
	cmd  *exec.Cmd
	done chan struct{}
}

func startRedis(t *testing.T) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server is not installed; the replica tests start their own Redis: install it (apt-get install redis-server)")
	}
	_ = bin
	addr := freeAddr(t)
	s := &redisServer{t: t, port: addr[strings.LastIndex(addr, ":")+1:]}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *redisServer) url() string { return "redis://127.0.0.1:" + s.port + "/0" }

// start runs redis-server (without persistence) and waits until it answers.
func (s *redisServer) start() {
	s.t.Helper()
	s.cmd = exec.Command("redis-server", "--port", s.port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	s.cmd.Stdout, s.cmd.Stderr = nil, os.Stderr
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start redis-server: %v", err)
	}
	s.done = make(chan struct{})
	done := s.done
	go func() { s.cmd.Wait(); close(done) }()
	opts, _ := redis.ParseURL(s.url())
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	for range 100 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("redis-server on port %s did not answer", s.port)
}

// stop ends redis-server; what it held is gone.
func (s *redisServer) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGCONT)
	s.cmd.Process.Kill()
	<-s.done
}

// freeze stops the process without closing its sockets: a hung Redis.
func (s *redisServer) freeze() { s.signal(syscall.SIGSTOP) }

func (s *redisServer) thaw() { s.signal(syscall.SIGCONT) }

func (s *redisServer) signal(sig syscall.Signal) {
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Errorf("signal redis-server: %v", err)
	}
}

var _ = fmt.Sprint
