package scheduler

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"suivi/storage/storagetest"
)

// benchDay is the local date every benchmark returnee has a check-in due on.
var benchDay = date(2025, 6, 15)

// seedReturnees inserts n consented returnees in one statement, each with a
// project occurrence (and for some a wellbeing, reintegration or
// satisfaction one) due on benchDay, in four zones; known says whether the
// planner has already seen them (the daily pass) or not (first planning).
func seedReturnees(b *testing.B, e *testEnv, n int, known bool) {
	b.Helper()
	_, err := e.db.Exec(`
		INSERT INTO returnees (ref, sex, birth_date, return_date, host_country, telegram_id, chat_id, consent, timezone, window_start, window_end)
		SELECT 'B-' || i, 'M', '1990-01-01', ($2::date - make_interval(months => 1 + i % 12))::date, 'LY', i, i, 'accepted',
		       (ARRAY['', 'Europe/Paris', 'America/New_York', 'Asia/Tokyo'])[1 + i % 4],
		       (ARRAY['10:00', '18:00', '08:00', '01:30'])[1 + i % 4]::time,
		       (ARRAY['19:00', '22:00', '12:00', '03:30'])[1 + i % 4]::time
		FROM generate_series(1, $1) AS i`, n, benchDay.Format(time.DateOnly))
	if err != nil {
		b.Fatal(err)
	}
	if known {
		if _, err := e.db.Exec(`
			INSERT INTO checkin_plans (returnee_id, return_date, timezone, window_start, window_end)
			SELECT id, return_date, timezone, window_start, window_end FROM returnees`); err != nil {
			b.Fatal(err)
		}
	}
	e.db.Exec(`ANALYZE`)
}

// heapPeak samples HeapInuse until stopped and reports the peak in MB.
func heapPeak() (stop func() float64) {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 {
		close(done)
		wg.Wait()
		return float64(peak.Load()) / (1 << 20)
	}
}

func benchPlan(b *testing.B, n int, known bool, label, heapLabel string) {
	db, _ := storagetest.NewDatabase(b)
	rdb, prefix := storagetest.NewRedis(b)
	e := &testEnv{db: db, rdb: rdb, prefix: prefix}
	seedReturnees(b, e, n, known)
	s := e.scheduler(b, nil)
	ctx := context.Background()
	// The daily pass: yesterday's pass planned through benchDay-1; at 00:30
	// UTC two days before, the look-ahead reaches benchDay.
	now := time.Date(2025, 6, 13, 0, 30, 0, 0, time.UTC)
	fence, err := s.lease.Acquire(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var seconds, peakMB float64
	var planned int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if _, err := db.Exec(`TRUNCATE checkins`); err != nil {
			b.Fatal(err)
		}
		if known {
			db.Exec(`UPDATE scheduler_state SET planned_through = $1`, benchDay.AddDate(0, 0, -1).Format(time.DateOnly))
		} else {
			db.Exec(`DELETE FROM checkin_plans`)
			db.Exec(`UPDATE scheduler_state SET planned_through = NULL`)
		}
		stop := heapPeak()
		b.StartTimer()
		start := time.Now()
		var st tickStats
		if err := s.plan(ctx, now, fence, &st); err != nil {
			b.Fatal(err)
		}
		seconds = time.Since(start).Seconds()
		b.StopTimer()
		peakMB = max(peakMB, stop())
		planned = st.Planned
	}
	if planned < int64(n) {
		b.Fatalf("planned %d check-ins for %d returnees", planned, n)
	}
	baseline := bareInsert(b, db)
	b.ReportMetric(seconds, "plan_s")
	b.ReportMetric(peakMB, "peak_heap_MB")
	b.ReportMetric(float64(planned), "checkins")
	b.ReportMetric(seconds/baseline, "x_bare_insert")
	fmt.Printf("%s: %.2f s\n", label, seconds)
	fmt.Printf("%s: %.1f MB\n", heapLabel, peakMB)
	fmt.Printf("%s bare insert of the same rows: %.2f s\n", label, baseline)
	fmt.Printf("%s ratio to the bare insert: %.2f x\n", label, seconds/baseline)
}

// bareInsert times writing the rows the plan created again, in one
// INSERT ... SELECT with every index and foreign key: the least any plan
// pass must cost on this machine, the baseline of the ratio.
func bareInsert(b *testing.B, db *sql.DB) float64 {
	b.Helper()
	for _, q := range []string{`DROP TABLE IF EXISTS bench_rows`, `CREATE TABLE bench_rows AS SELECT * FROM checkins`, `TRUNCATE checkins`} {
		if _, err := db.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	if _, err := db.Exec(`INSERT INTO checkins SELECT * FROM bench_rows`); err != nil {
		b.Fatal(err)
	}
	return time.Since(start).Seconds()
}

// BenchmarkPlanDay100k times the leader's daily pass over 100,000 consented
// returnees who all have a check-in due that day. Target: under 5 s, with
// memory bounded by the batch size.
func BenchmarkPlanDay100k(b *testing.B) {
	benchPlan(b, 100_000, true, "plan 100k returnees", "plan peak heap")
}

// BenchmarkPlanNew100k times planning 100,000 returnees the planner has never
// seen (first start, or a bulk import): every occurrence up to the
// look-ahead, and the record of what each was planned with.
func BenchmarkPlanNew100k(b *testing.B) {
	benchPlan(b, 100_000, false, "plan 100k new returnees", "plan new peak heap")
}
