package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"suivi/storage/storagetest"
)

const (
	exportReturnees = 10000
	exportAnswers   = 1000000 // 100 answers each: 10 check-ins of 10 questions
)

// BenchmarkExport measures the peak resident memory of `suivi export
// answers`, the built binary run as a child process, over 1,000,000
// answers; the figure is the child's high-water RSS from getrusage.
// XLSX is the heavier format and gives `export peak RSS`.
func BenchmarkExport(b *testing.B) {
	db, dsn := storagetest.NewDatabase(b)
	start := time.Now()
	for _, q := range []string{
		`INSERT INTO staff (handle, name, role) VALUES ('cw.bench', 'Bench', 'caseworker')`,
		`INSERT INTO returnees (ref, sex, birth_date, return_date, host_country, region, programme, caseworker_id)
		 SELECT 'MA-EX-' || n, CASE WHEN n % 7 = 0 THEN 'F' ELSE 'M' END, date '1985-01-01' + n % 5000,
		        date '2025-01-01' + n % 300, 'IT', 'Oriental', 'AVRR', (SELECT id FROM staff WHERE handle = 'cw.bench')
		 FROM generate_series(1, ` + fmt.Sprint(exportReturnees) + `) n`,
		`INSERT INTO conversations (returnee_id, flow_id, flow_version, status, started_at)
		 SELECT r.id, 'wellbeing', 2, 'completed', timestamptz '2025-02-01' + m * interval '30 days'
		 FROM returnees r CROSS JOIN generate_series(0, 9) m`,
		`INSERT INTO answers (conversation_id, returnee_id, flow_id, question_id, value, score, dimension, indicator, answered_at)
		 SELECT c.id, c.returnee_id, 'wellbeing', 'q' || q,
		        CASE WHEN q = 10 THEN '{"kind":"number","number":1200}'::jsonb
		             ELSE jsonb_build_object('kind', 'option', 'option', 'opt' || (c.id + q) % 4) END,
		        CASE WHEN q = 10 THEN NULL ELSE ((c.id + q) % 4) / 3.0 END, 'psychosocial', 'who5',
		        c.started_at + q * interval '1 minute'
		 FROM conversations c CROSS JOIN generate_series(1, 10) q`,
		`ANALYZE`,
	} {
		if _, err := db.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM answers`).Scan(&n); err != nil || n != exportAnswers {
		b.Fatalf("%d answers generated, want %d: %v", n, exportAnswers, err)
	}
	b.Logf("%d answers generated in %s", n, time.Since(start).Round(time.Millisecond))
	bin := buildSuivi(b)
	dir := b.TempDir()
	b.ResetTimer()
	for range b.N {
		for _, run := range []struct{ label, format, to string }{
			{"export csv", "csv", ""},
			{"export", "xlsx", ""}, // the figure the target is about: the heavier format
			// A tenth of the answers (the first check-in of each), to show the memory does not grow with the size.
			{"export xlsx 100k answers", "xlsx", "2025-02-01"},
		} {
			out := filepath.Join(dir, "answers."+run.format)
			args := []string{"export", "answers", "--out", out}
			if run.to != "" {
				args = append(args, "--to", run.to)
			}
			cmd := exec.Command(bin, args...)
			cmd.Env = append(os.Environ(), "DATABASE_URL="+dsn, "USER=bench")
			cmd.Stderr = os.Stderr
			var stdout strings.Builder
			cmd.Stdout = &stdout
			began := time.Now()
			if err := cmd.Run(); err != nil {
				b.Fatalf("suivi %s: %v", strings.Join(args, " "), err)
			}
			took := time.Since(began)
			rss := float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) / 1024 // KiB on Linux
			fi, err := os.Stat(out)
			if err != nil {
				b.Fatal(err)
			}
			fmt.Printf("%s peak RSS: %.1f MB\n", run.label, rss)
			if run.to == "" {
				fmt.Printf("export %s 1M answers: %.2f s\n", run.format, took.Seconds())
				fmt.Printf("export %s file size: %.1f MB\n", run.format, float64(fi.Size())/(1<<20))
			}
			b.Logf("%s: %s", strings.Join(args[:2], " "), strings.TrimSpace(stdout.String()))
		}
	}
}
