package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"suivi/app"
	"suivi/sandbox"
	"suivi/storage/storagetest"
)

// running is a sandbox serving in the background.
type running struct {
	url   string
	dsn   string
	ready chan string  // the page's address at each (re)start
	stop  func() error // stops the sandbox and returns what Run returned
}

// startSandbox runs the sandbox on a fresh database, with flowsDir as
// SUIVI_FLOWS_DIR, and stops it at the end of the test.
func startSandbox(t *testing.T, flowsDir string) *running {
	t.Helper()
	_, dsn := storagetest.NewDatabase(t)
	return startOn(t, dsn, flowsDir)
}

// startOn runs the sandbox on the database dsn.
func startOn(t *testing.T, dsn, flowsDir string) *running {
	t.Helper()
	cfg := sandboxConfig(t, dsn, flowsDir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logger := testLogger(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 8)
	done := make(chan error, 1)
	go func() {
		done <- sandbox.Run(ctx, cfg, sandbox.Options{Logger: logger, Listener: ln, Ready: func(u string) { ready <- u }})
	}()
	var stopped bool
	var stopErr error
	stop := func() error {
		if stopped {
			return stopErr
		}
		stopped = true
		cancel()
		select {
		case stopErr = <-done:
		case <-time.After(30 * time.Second):
			stopErr = errors.New("sandbox did not stop within 30 s")
		}
		return stopErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("sandbox stopped with: %v", err)
		}
	})
	select {
	case u := <-ready:
		return &running{url: u, dsn: dsn, ready: ready, stop: stop}
	case err := <-done:
		t.Fatalf("sandbox did not start: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("sandbox did not start within 60 s")
	}
	return nil
}

// post sends a JSON body to the page's path and decodes the answer into
// out (when not nil), returning the status.
func (r *running) post(t *testing.T, path string, body any, out any) int {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Post(r.url+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			t.Fatalf("POST %s: decode: %v", path, err)
		}
	}
	return res.StatusCode
}

// state is the part of the page's state the tests read.
type state struct {
	Clock string `json:"clock"`
	Ahead string `json:"ahead"`
	Chats []struct {
		ID       int64  `json:"id"`
		Key      string `json:"key"`
		Role     string `json:"role"`
		Lang     string `json:"lang"`
		Token    string `json:"token"`
		Messages []struct {
			ID      int    `json:"id"`
			Mine    bool   `json:"mine"`
			Text    string `json:"text"`
			Buttons [][]struct {
				Text string `json:"text"`
				Data string `json:"data"`
			} `json:"buttons"`
		} `json:"messages"`
	} `json:"chats"`
	Flows []struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	} `json:"flows"`
	Reload *struct {
		OK       bool     `json:"ok"`
		Problems []string `json:"problems"`
	} `json:"reload"`
}

// state reads the page's state.
func (r *running) state(t *testing.T) state {
	t.Helper()
	res, err := http.Get(r.url + "/state")
	if err != nil {
		t.Fatalf("GET state: %v", err)
	}
	defer res.Body.Close()
	var st state
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
		t.Fatalf("GET state: %v", err)
	}
	return st
}

// waitRestart waits until the sandbox serves again after a reload or reset.
func (r *running) waitRestart(t *testing.T) {
	t.Helper()
	select {
	case <-r.ready:
	case <-time.After(30 * time.Second):
		t.Fatal("the sandbox did not restart within 30 s")
	}
}

// sandboxConfig is the sandbox's configuration on dsn.
func sandboxConfig(t *testing.T, dsn, flowsDir string) app.Config {
	t.Helper()
	cfg, err := app.LoadConfig(func(name string) string {
		switch name {
		case "DATABASE_URL":
			return dsn
		case "SUIVI_SANDBOX":
			return "1"
		case "SUIVI_FLOWS_DIR":
			return flowsDir
		case "SUIVI_LOG_LEVEL":
			return os.Getenv("SUIVI_TEST_LOG_LEVEL")
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// testLogger discards logs unless SUIVI_TEST_LOG_LEVEL asks for them.
func testLogger(cfg app.Config) *slog.Logger {
	if os.Getenv("SUIVI_TEST_LOG_LEVEL") != "" {
		return app.NewLogger(cfg, os.Stderr)
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// runOnce runs the sandbox on dsn and returns what Run returned (within
// 30 s), for starts that must fail.
func runOnce(t *testing.T, dsn string) error {
	t.Helper()
	cfg := sandboxConfig(t, dsn, "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return sandbox.Run(ctx, cfg, sandbox.Options{Logger: testLogger(cfg), Listener: ln})
}
