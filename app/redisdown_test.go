package app_test

import (
	"net"
	"testing"

	"suivi/app"
)

// Redis down from the start: intake still polls (its lease is in
// PostgreSQL) and replies still go out at the fallback rate.
func TestRedisDownNeverStopsIntake(t *testing.T) {
	w := newWorld(t)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := w.Cfg
	cfg.RedisURL = "redis://" + closed.Addr().String() + "/0"
	closed.Close()
	w.start(cfg, app.Options{})
	u := w.Fake.User(7201)
	u.SendText("bonjour")
	w.waitMessages(u.ID(), 1)
}
