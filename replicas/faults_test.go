//go:build faults

package replicas

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"
)

// The fault tests: each runs the wave on three replicas, breaks one thing
// mid-wave, lets it heal by itself, then checks that nothing was lost and
// prints what the outage cost. `make test-faults` runs them (build tag
// faults): at full size they take several minutes each.

// TestFaultReplicaKilled kills the polling replica (the lease holder) with
// SIGKILL mid-wave: another takes the poller lease over, and the messages
// the dead one had claimed are sent once their lease runs out, twice when
// the kill came between Telegram accepting one and the sender recording it.
func TestFaultReplicaKilled(t *testing.T) {
	c := newCluster(t, clusterOptions{})
	w := c.seedWave(waveSize())
	var killedAt time.Time
	var victim int
	var orphans []int64
	o := runWave(t, w, "fault kill", func() map[int]time.Time {
		time.Sleep(10 * time.Second)
		victim = c.pollerHolder()
		// Telegram answers the next sends 2 s late, so that the kill finds
		// calls in flight: accepted, but never recorded by their sender.
		c.fake.DelayNext("sendMessage", 15, 2*time.Second)
		time.Sleep(300 * time.Millisecond)
		killedAt = time.Now()
		c.replicas[victim].kill()
		before := c.claims()
		t.Logf("replica %d (the poller) killed with %d messages claimed by all senders", victim, len(before))
		time.Sleep(15 * time.Second) // the live senders' claims turn over within seconds
		for id, token := range c.claims() {
			if before[id] == token {
				orphans = append(orphans, id)
			}
		}
		return map[int]time.Time{victim: killedAt}
	})
	var takeover time.Time
	c.db.QueryRow(`SELECT min(handled_at) FROM telegram_updates WHERE handled_at > $1`, killedAt.Add(100*time.Millisecond)).Scan(&takeover)
	var lastOrphan time.Time
	c.db.QueryRow(`SELECT coalesce(max(sent_at), $2) FROM outbox WHERE id = ANY($1)`, pq.Array(orphans), killedAt).Scan(&lastOrphan)
	figure(t, "fault kill poller takeover", takeover.Sub(killedAt).Seconds(), "s")
	figure(t, "fault kill messages delayed", float64(len(orphans)), "messages")
	figure(t, "fault kill time to recover", lastOrphan.Sub(killedAt).Seconds(), "s")
	figure(t, "fault kill retries", c.metric(`suivi_messages_sent_total{result="retry"}`), "retries")
	if o.duplicates > len(orphans) {
		t.Errorf("%d duplicates, more than the %d messages the killed replica held", o.duplicates, len(orphans))
	}
	// Each send Telegram accepted from the killed replica but answered after
	// its death was never recorded: it must have been sent again.
	inFlight := 0
	c.calls.mu.Lock()
	for _, r := range c.calls.recs {
		if r.replica == victim && r.status == 200 && r.start.Before(killedAt) && r.end.After(killedAt) {
			inFlight++
		}

	}
	c.calls.mu.Unlock()
	figure(t, "fault kill sends in flight at the kill", float64(inFlight), "messages")
	if o.duplicates < inFlight {
		t.Errorf("%d sends were in flight from the killed replica, but only %d messages were sent twice", inFlight, o.duplicates)
	}
	c.allAlive(1)
}

// TestFaultPostgresRestart stops the database mid-wave for 10 s (sessions
// cut) and starts it again: intake and sending resume by themselves.
func TestFaultPostgresRestart(t *testing.T) {
	pg := startPostgres(t)
	dsn := pg.dsn("suivi")
	c := newCluster(t, clusterOptions{dsn: dsn})
	w := c.seedWave(waveSize())
	var stoppedAt, startedAt time.Time
	var retriesBefore float64
	runWave(t, w, "fault postgres", func() map[int]time.Time {
		time.Sleep(10 * time.Second)
		retriesBefore = c.metric(`suivi_messages_sent_total{result="retry"}`)
		stoppedAt = time.Now()
		pg.stop()
		time.Sleep(10 * time.Second)
		pg.start()
		startedAt = time.Now()
		c.db.Close() // its sessions died with the server
		c.db = openDB(t, dsn)
		return nil
	})
	figure(t, "fault postgres downtime", startedAt.Sub(stoppedAt).Seconds(), "s")
	figure(t, "fault postgres first send after restart", c.firstSendAfter(startedAt).Seconds(), "s")
	var handled time.Time
	c.db.QueryRow(`SELECT min(handled_at) FROM telegram_updates WHERE handled_at > $1`, startedAt).Scan(&handled)
	figure(t, "fault postgres first update after restart", handled.Sub(startedAt).Seconds(), "s")
	figure(t, "fault postgres retries", c.metric(`suivi_messages_sent_total{result="retry"}`)-retriesBefore, "retries")
	var dead int
	c.db.QueryRow(`SELECT count(*) FROM update_failures WHERE dead_at IS NOT NULL`).Scan(&dead)
	figure(t, "fault postgres dead letters", float64(dead), "updates")
	c.allAlive(0)
}

// TestFaultRedis stops Redis for 30 s (then starts it empty), and later
// hangs it for 30 s (SIGSTOP): sending goes on at each replica's fallback
// share, intake never stops.
func TestFaultRedis(t *testing.T) {
	r := startRedis(t)
	c := newCluster(t, clusterOptions{webhook: true, redisURL: r.url()})
	w := c.seedWave(waveSize())
	var downAt, upAt, frozenAt, thawedAt time.Time
	o := runWave(t, w, "fault redis", func() map[int]time.Time {
		time.Sleep(10 * time.Second)
		downAt = time.Now()
		r.stop()
		time.Sleep(30 * time.Second)
		r.start()
		upAt = time.Now()
		time.Sleep(10 * time.Second)
		frozenAt = time.Now()
		r.freeze()
		time.Sleep(30 * time.Second)
		r.thaw()
		thawedAt = time.Now()
		return nil
	})
	c.timeline(downAt)
	figure(t, "fault redis stopped send rate", c.sendRate(downAt, upAt), "msgs/s")
	figure(t, "fault redis restarted send rate", c.sendRate(upAt, upAt.Add(10*time.Second)), "msgs/s")
	figure(t, "fault redis hung send rate", c.sendRate(frozenAt, thawedAt), "msgs/s")
	figure(t, "fault redis after hang send rate", c.sendRate(thawedAt, thawedAt.Add(10*time.Second)), "msgs/s")
	var handled int
	c.db.QueryRow(`SELECT count(*) FROM telegram_updates WHERE handled_at BETWEEN $1 AND $2`, downAt, thawedAt).Scan(&handled)
	figure(t, "fault redis updates handled during outages", float64(handled), "updates")
	if o.duplicates != 0 {
		t.Errorf("%d messages sent twice with no sender killed", o.duplicates)
	}
	c.allAlive(0)
}

// TestFaultTelegram has the Bot API answer 502 to every send for 20 s,
// then, once sending is back, throws three bursts of flood control: every
// send answered 429 with a 10 s retry_after for 2 s. Messages wait and are
// retried; none is lost or sent twice, and sending resumes by itself.
func TestFaultTelegram(t *testing.T) {
	c := newCluster(t, clusterOptions{})
	w := c.seedWave(waveSize())
	var outageStart, outageEnd time.Time
	var bursts []time.Time // when each burst ended
	o := runWave(t, w, "fault telegram", func() map[int]time.Time {
		time.Sleep(10 * time.Second)
		outageStart = time.Now()
		c.fake.FailFor(20*time.Second, http.StatusBadGateway)
		outageEnd = outageStart.Add(20 * time.Second)
		time.Sleep(35 * time.Second)
		for range 3 {
			c.fake.RetryAfterFor(2*time.Second, 10)
			bursts = append(bursts, time.Now().Add(2*time.Second))
			time.Sleep(20 * time.Second)
		}
		return nil
	})
	c.timeline(outageStart)
	var delayed int
	c.db.QueryRow(`SELECT count(*) FROM outbox WHERE attempts > 1`).Scan(&delayed)
	figure(t, "fault telegram messages delayed", float64(delayed), "messages")
	figure(t, "fault telegram retries", c.metric(`suivi_messages_sent_total{result="retry"}`), "retries")
	figure(t, "fault telegram 429 answered", c.metric(`suivi_telegram_429_total`), "responses")
	figure(t, "fault telegram time to recover after 5xx", c.firstSendAfter(outageEnd).Seconds(), "s")
	var worst time.Duration
	for _, end := range bursts {
		worst = max(worst, c.firstSendAfter(end))
	}
	figure(t, "fault telegram time to recover after 429 burst", worst.Seconds(), "s")
	if o.duplicates != 0 {
		t.Errorf("%d messages sent twice with no sender killed", o.duplicates)
	}
	c.allAlive(0)
}

// pollerHolder is the index of the replica holding the poller lease.
func (c *cluster) pollerHolder() int {
	c.t.Helper()
	var holder string
	if err := c.db.QueryRow(`SELECT holder FROM leases WHERE name = 'intake:poller'`).Scan(&holder); err != nil {
		c.t.Fatalf("read the poller lease: %v", err)
	}
	parts := strings.Split(holder, "/") // host/pid/random
	if len(parts) == 3 {
		pid, _ := strconv.Atoi(parts[1])
		for i, r := range c.replicas {
			if r.cmd.Process.Pid == pid {
				return i
			}
		}
	}
	c.t.Fatalf("the poller lease holder %q is none of the replicas", holder)
	return 0
}

// claims is every outbox row being sent, with its claim token.
func (c *cluster) claims() map[int64]int64 {
	out := map[int64]int64{}
	rows, err := c.db.Query(`SELECT id, claim_token FROM outbox WHERE status = 'sending'`)
	if err != nil {
		c.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, token int64
		rows.Scan(&id, &token)
		out[id] = token
	}
	return out
}

// metric sums a counter over the live replicas' /metrics.
func (c *cluster) metric(series string) float64 {
	var sum float64
	for _, r := range c.replicas {
		if !r.alive() {
			continue
		}
		resp, err := http.Get("http://" + r.addr + "/metrics")
		if err != nil {
			c.t.Errorf("metrics of replica %d: %v", r.idx, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, line := range strings.Split(string(body), "\n") {
			if v, ok := strings.CutPrefix(line, series+" "); ok {
				f, _ := strconv.ParseFloat(v, 64)
				sum += f
			}
		}
	}
	return sum
}

// firstSendAfter is how long after at the fake first accepted a message.
func (c *cluster) firstSendAfter(at time.Time) time.Duration {
	for _, call := range c.fake.Calls("sendMessage") {
		if call.Status == 200 && call.Time.After(at) {
			return call.Time.Sub(at)
		}
	}
	c.t.Errorf("no message accepted after %s", at.Format("15:04:05"))
	return 0
}

// sendRate is the messages per second the fake accepted between from and to.
func (c *cluster) sendRate(from, to time.Time) float64 {
	n := 0
	for _, call := range c.fake.Calls("sendMessage") {
		if call.Status == 200 && call.Time.After(from) && call.Time.Before(to) {
			n++
		}
	}
	return float64(n) / to.Sub(from).Seconds()
}

// allAlive checks that every replica but the killed ones still runs and
// answers /readyz: the service healed without anyone restarting it.
func (c *cluster) allAlive(killed int) {
	dead := 0
	for _, r := range c.replicas {
		if r.killed.Load() {
			continue
		}
		if !r.alive() {
			dead++
			c.t.Errorf("replica %d exited during the fault", r.idx)
			continue
		}
		resp, err := http.Get("http://" + r.addr + "/readyz")
		if err != nil || resp.StatusCode != http.StatusOK {
			c.t.Errorf("replica %d is not ready after the fault: %v", r.idx, err)
		}
		if resp != nil {
			resp.Body.Close()
		}
	}
	if n := len(c.replicas) - dead; n < len(c.replicas)-killed {
		c.t.Errorf("%d replicas run, want %d", n, len(c.replicas)-killed)
	}
}

// timeline logs, 5 s at a time from a moment on, the sends the fake
// accepted and refused.
func (c *cluster) timeline(from time.Time) {
	type bucket struct{ ok, refused int }
	var buckets []bucket
	for _, call := range c.fake.Calls("") {
		if !strings.HasPrefix(call.Method, "send") && !strings.HasPrefix(call.Method, "edit") || call.Time.Before(from) {
			continue
		}
		i := int(call.Time.Sub(from) / (5 * time.Second))
		for len(buckets) <= i {
			buckets = append(buckets, bucket{})
		}
		if call.Status == 200 {
			buckets[i].ok++
		} else {
			buckets[i].refused++
		}
	}
	var b strings.Builder
	for i, k := range buckets {
		fmt.Fprintf(&b, " %ds:%d/%d", 5*i, k.ok, k.refused)
	}
	c.t.Logf("sends accepted/refused per 5 s from %s:%s", from.Format("15:04:05"), b.String())
}
