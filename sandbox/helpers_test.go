package sandbox_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"suivi/app"
	"suivi/sandbox"
	"suivi/storage/storagetest"
)

// running is a sandbox serving in the background.
type running struct {
	url string
	dsn string
}

// startSandbox runs the sandbox on a fresh database, with flowsDir as
// SUIVI_FLOWS_DIR, and stops it at the end of the test.
func startSandbox(t *testing.T, flowsDir string) *running {
	t.Helper()
	_, dsn := storagetest.NewDatabase(t)
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var logger *slog.Logger
	if os.Getenv("SUIVI_TEST_LOG_LEVEL") != "" {
		logger = app.NewLogger(cfg, os.Stderr)
	} else {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 8)
	done := make(chan error, 1)
	go func() {
		done <- sandbox.Run(ctx, cfg, sandbox.Options{Logger: logger, Listener: ln, Ready: func(u string) { ready <- u }})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("sandbox stopped with: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("sandbox did not stop within 30 s")
		}
	})
	select {
	case u := <-ready:
		return &running{url: u, dsn: dsn}
	case err := <-done:
		t.Fatalf("sandbox did not start: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("sandbox did not start within 60 s")
	}
	return nil
}
