package bench

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"suivi/report"
	"suivi/storage"
	"suivi/storage/storagetest"
)

const (
	factsheetReturnees = 10000
	factsheetAnswers   = 1000000
)

// BenchmarkFactsheet measures the manager's factsheet for the last complete
// quarter over 10,000 returnees and 1,000,000 answers (the data of `suivi
// dev generate`), in JSON and in PDF, against a bare sequential scan of
// the same answers in the same run.
func BenchmarkFactsheet(b *testing.B) {
	db, _ := storagetest.NewDatabase(b)
	ctx := context.Background()
	now := time.Now().UTC()
	start := time.Now()
	if err := storage.GenerateSynthetic(ctx, db, storage.Synthetic{Returnees: factsheetReturnees, Answers: factsheetAnswers, Now: now}); err != nil {
		b.Fatal(err)
	}
	generated := time.Since(start)
	if _, err := db.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	p := report.Params{Period: report.LastQuarter(now), Now: now}
	timeIt := func(fn func() error) time.Duration {
		var best time.Duration
		for i := range 2 { // the first run warms the cache; keep the better of two
			t0 := time.Now()
			if err := fn(); err != nil {
				b.Fatal(err)
			}
			if d := time.Since(t0); i == 0 || d < best {
				best = d
			}
		}
		return best
	}
	scan := timeIt(func() error {
		var n int
		return db.QueryRowContext(ctx, `SELECT count(score) FROM answers`).Scan(&n)
	})
	factsheet := func(format string) func() error {
		return func() error {
			f, err := report.Build(ctx, db, p)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			return report.Render(&buf, f, format, "fr")
		}
	}
	b.ResetTimer()
	var jsonTime, pdfTime time.Duration
	for range b.N {
		jsonTime = timeIt(factsheet("json"))
		pdfTime = timeIt(factsheet("pdf"))
	}
	b.ReportMetric(jsonTime.Seconds(), "json-s")
	fmt.Printf("factsheet data: %d returnees and %d answers generated in %.1f s\n", factsheetReturnees, factsheetAnswers, generated.Seconds())
	fmt.Printf("factsheet json 1M answers: %.2f s\n", jsonTime.Seconds())
	fmt.Printf("factsheet pdf 1M answers: %.2f s\n", pdfTime.Seconds())
	fmt.Printf("answers seq scan 1M: %.2f s\n", scan.Seconds())
	fmt.Printf("factsheet json ratio: %.2f\n", jsonTime.Seconds()/scan.Seconds())
}
