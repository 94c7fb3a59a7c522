package replicas

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestReplicasWebhook runs three replicas behind a balancer that spreads
// Telegram's webhook deliveries over them, through a wave of check-in
// openers while returnees answer.
func TestReplicasWebhook(t *testing.T) {
	c := newCluster(t, clusterOptions{webhook: true})
	w := c.seedWave(waveSize())
	o := runWave(t, w, "replicas webhook", nil)
	spread := c.lb.spread()
	t.Logf("webhook deliveries answered per replica: %v", spread)
	for i, n := range spread {
		if n == 0 {
			t.Errorf("replica %d answered no webhook delivery: %v", i, spread)
		}
	}
	if o.duplicates != 0 {
		t.Errorf("%d messages sent twice with no sender killed", o.duplicates)
	}
}

// TestReplicasPolling runs three replicas in long-polling mode: one polls
// under the lease, all three send.
func TestReplicasPolling(t *testing.T) {
	c := newCluster(t, clusterOptions{})
	w := c.seedWave(waveSize())
	o := runWave(t, w, "replicas polling", nil)
	if o.duplicates != 0 {
		t.Errorf("%d messages sent twice with no sender killed", o.duplicates)
	}
	perReplica := make([]int, len(c.replicas))
	c.calls.mu.Lock()
	for _, r := range c.calls.recs {
		if r.status == 200 {
			perReplica[r.replica]++
		}
	}
	c.calls.mu.Unlock()
	t.Logf("messages sent per replica: %v", perReplica)
	for i, n := range perReplica {
		if n == 0 {
			t.Errorf("replica %d sent nothing: %v", i, perReplica)
		}
	}
}

// runWave runs the wave (calling during once it is under way), waits for
// the outbox to empty, verifies the run and prints its figures under name.
func runWave(t *testing.T, w *wave, name string, during func() map[int]time.Time) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	start := time.Now()
	var killed map[int]time.Time
	w.run(ctx, func() {
		if during != nil {
			killed = during()
		}
	})
	w.c.drain(5 * time.Minute)
	elapsed := time.Since(start)
	o := w.verify(killed)
	figure(t, name+" messages", float64(o.messages), "messages")
	figure(t, name+" wave time", elapsed.Seconds(), "s")
	figure(t, name+" send rate", float64(o.messages)/elapsed.Seconds(), "msgs/s")
	figure(t, name+" peak send rate", float64(o.peakRate), "msgs/s")
	figure(t, name+" 429 responses", float64(o.count429), "responses")
	figure(t, name+" duplicates", float64(o.duplicates), "messages")
	figure(t, name+" answer to next question p50", percentile(w.latencies, 50), "s")
	figure(t, name+" answer to next question p95", percentile(w.latencies, 95), "s")
	if during == nil && o.count429 != 0 {
		t.Errorf("the fake answered %d times 429; the replicas together must stay under Telegram's limits", o.count429)
	}
	_ = fmt.Sprint
	return o
}
