package scheduler

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"suivi/storage"
)

// TestReplicasShareTheWork ticks three instances on one database a simulated
// month, concurrently: every occurrence exists once, opens once, inside its
// window. With Redis for the lease, and with the advisory lock.
func TestReplicasShareTheWork(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"redis", "advisory"} {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t)
			var scheds []*Scheduler
			for range 3 {
				scheds = append(scheds, e.scheduler(t, func(c *Config) {
					if mode == "advisory" {
						c.Redis = nil
					}
				}))
			}
			start := time.Date(2025, 3, 20, 0, 0, 0, 0, time.UTC)
			for i := 0; i < 60; i++ {
				p := profiles[i%len(profiles)]
				addReturnee(t, e.db, returnee{
					ReturnDate: dateOf(start).AddDate(0, -1, -10+i/2), // month 1 due over the simulated month
					Timezone:   p.tz, WindowStart: p.start, WindowEnd: p.end,
				})
			}
			answer := func(now time.Time) {
				for id := range e.openCheckins(t) {
					if id%2 == 0 {
						e.complete(t, id, now)
					}
				}
			}
			e.simulate(t, scheds, start, start.AddDate(0, 1, 0), answer)

			e.checkEveryOccurrenceOnce(t, testCampaigns)
			opened := e.checkOpenedInWindows(t, scheds[0])
			if n := e.count(t, `SELECT count(*) FROM checkins WHERE status IN ('planned', 'open') AND due_date < $1`, start.AddDate(0, 0, 20)); n != 0 {
				t.Errorf("%d check-ins due in the first 20 days not done: a gap", n)
			}
			if len(opened) < 100 {
				t.Errorf("only %d opened", len(opened))
			}
			if n := e.count(t, `SELECT count(DISTINCT leader) FROM scheduler_state`); n != 1 {
				t.Errorf("scheduler_state holds %d leaders", n)
			}
		})
	}
}

// TestLeaderKilledWhilePlanning cancels the leader's context after its first
// planning transaction, as a crash would; its lease is never released. The
// next replica takes over when the lease expires and finishes the plan:
// nothing lost, nothing doubled.
func TestLeaderKilledWhilePlanning(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 300; i++ {
		addReturnee(t, e.db, returnee{ReturnDate: dateOf(now).AddDate(0, -i%13, -i%20)})
	}
	short := func(c *Config) { c.BatchSize, c.LeaseTTL = 40, 1500*time.Millisecond }
	a, b := e.scheduler(t, short), e.scheduler(t, short)

	ctx, kill := context.WithCancel(context.Background())
	var batches atomic.Int32
	a.afterPlanBatch = func() {
		if batches.Add(1) == 2 {
			kill()
		}
	}
	if err := a.Tick(ctx, now); !errors.Is(err, context.Canceled) {
		t.Fatalf("killed leader's tick: %v, want context canceled", err)
	}
	partial := e.count(t, `SELECT count(*) FROM checkins`)
	if partial == 0 || e.count(t, `SELECT count(*) FROM checkin_plans`) >= 300 {
		t.Fatalf("the leader was not killed halfway (%d checkins)", partial)
	}
	// b is refused while a's lease lives, then takes over.
	e.tick(t, b, now)
	if n := e.count(t, `SELECT count(*) FROM checkin_plans`); n >= 300 {
		t.Fatalf("second replica planned while the first one's lease was alive")
	}
	deadline := time.Now().Add(10 * time.Second)
	for e.count(t, `SELECT count(*) FROM checkin_plans`) < 300 {
		if time.Now().After(deadline) {
			t.Fatal("no replica finished the plan")
		}
		time.Sleep(100 * time.Millisecond)
		e.tick(t, b, now)
	}
	e.checkEveryOccurrenceOnce(t, testCampaigns)
	e.checkOpenedInWindows(t, b)
}

// TestStaleLeaderIsFenced lets a leader lose its lease without noticing
// (its key expires during a pause): once another replica leads, the old
// leader's planning writes are refused.
func TestStaleLeaderIsFenced(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := time.Date(2025, 5, 2, 9, 0, 0, 0, time.UTC)
	a, b := e.scheduler(t, nil), e.scheduler(t, nil)
	oldFence, err := a.lease.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e.rdb.Del(context.Background(), e.prefix+"scheduler:leader") // a's lease expires
	if _, err := b.lease.Acquire(context.Background()); err != nil {
		t.Fatalf("second replica could not lead: %v", err)
	}
	addReturnee(t, e.db, returnee{ReturnDate: dateOf(now).AddDate(0, -1, 0)})
	var st tickStats
	err = a.plan(context.Background(), now, oldFence, &st)
	if !errors.Is(err, storage.ErrStaleLeader) {
		t.Fatalf("stale leader's plan: %v, want ErrStaleLeader", err)
	}
	if n := e.count(t, `SELECT count(*) FROM checkins`); n != 0 {
		t.Errorf("stale leader wrote %d checkins", n)
	}
	// And a's next tick notices it lost the lease: it does not plan.
	e.tick(t, a, now)
	if n := e.count(t, `SELECT count(*) FROM checkins`); n != 0 {
		t.Errorf("former leader planned %d checkins", n)
	}
	e.tick(t, b, now)
	if n := e.count(t, `SELECT count(*) FROM checkins`); n == 0 {
		t.Error("the leader planned nothing")
	}
}
