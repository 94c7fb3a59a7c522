package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// runHealth asks the local server's /readyz, for container health checks in
// an image that has no curl.
func runHealth(ctx context.Context, env *Env, args []string) error {
	cfg, err := env.Config()
	if err != nil {
		return err
	}
	host, port, _ := net.SplitHostPort(cfg.HTTPAddr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/readyz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	fmt.Fprint(env.Stdout, string(body))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: not ready (%d)", resp.StatusCode)
	}
	return nil
}
