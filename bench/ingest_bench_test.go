package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/app"
	"suivi/bot/telegramtest"
	"suivi/storage/storagetest"
)

const (
	ingestUsers      = 300
	ingestPerUser    = 10
	ingestFirstUser  = 900000
	ingestTotal      = ingestUsers * ingestPerUser
	ingestUserPrefix = "MA-BENCH-"
)

// enrolUsers adds the benchmark's returnees, consented and bound to Telegram.
func enrolUsers(b *testing.B, db *sql.DB) {
	b.Helper()
	_, err := db.Exec(`
		INSERT INTO returnees (ref, sex, birth_date, return_date, host_country, telegram_id, chat_id, consent, consent_at, language)
		SELECT $1 || n, 'M', '1990-01-01', '2026-01-01', 'IT', $2::bigint + n, $2::bigint + n, 'accepted', now(), 'fr'
		FROM generate_series(0, $3::int - 1) AS n`, ingestUserPrefix, ingestFirstUser, ingestUsers)
	if err != nil {
		b.Fatal(err)
	}
}

// ingestText is what each returnee sends: a command every enrolled person
// may send at any time.
func ingestText(i int) string { return "/help" }

// BenchmarkIngest measures updates handled per second end to end — the fake
// Telegram, `suivi serve` as its own process polling it, the transaction,
// the reply in the outbox — against a baseline that runs the same handler
// (the same SQL statements) one update per transaction in a loop, without
// Telegram. It also reports the serve process's peak RSS.
func BenchmarkIngest(b *testing.B) {
	baseline := ingestBaseline(b)
	e2e, rss := ingestEndToEnd(b)
	b.ReportMetric(e2e, "updates/s")
	fmt.Printf("ingest baseline: %.0f updates/s (same handler, one transaction per update, no Telegram)\n", baseline)
	fmt.Printf("ingest end to end: %.0f updates/s (%d updates from %d people through suivi serve)\n", e2e, ingestTotal, ingestUsers)
	fmt.Printf("ingest ratio: %.2f\n", e2e/baseline)
	fmt.Printf("peak RSS: %.1f MB\n", rss)
}

func ingestBaseline(b *testing.B) float64 {
	db, dsn := storagetest.NewDatabase(b)
	enrolUsers(b, db)
	fake := telegramtest.New(telegramtest.WithLimits(telegramtest.Limits{}))
	defer fake.Close()
	cfg, err := app.LoadConfig(func(k string) string {
		return map[string]string{"DATABASE_URL": dsn, "TELEGRAM_BOT_TOKEN": fake.Token(), "TELEGRAM_API_ENDPOINT": fake.Endpoint()}[k]
	})
	if err != nil {
		b.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, app.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	updates := make([]tgbotapi.Update, 0, ingestTotal)
	for i := range ingestPerUser {
		for u := range ingestUsers {
			id := int64(ingestFirstUser + u)
			text := ingestText(i)
			updates = append(updates, tgbotapi.Update{UpdateID: len(updates) + 1, Message: &tgbotapi.Message{
				MessageID: i + 1, Date: int(time.Now().Unix()), Text: text,
				From:     &tgbotapi.User{ID: id, FirstName: "B"},
				Chat:     &tgbotapi.Chat{ID: id, Type: "private"},
				Entities: []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: len(strings.Fields(text)[0])}},
			}})
		}
	}
	ctx := context.Background()
	start := time.Now()
	for _, u := range updates {
		if err := a.Router.HandleUpdate(ctx, u); err != nil {
			b.Fatal(err)
		}
	}
	return float64(len(updates)) / time.Since(start).Seconds()
}

func ingestEndToEnd(b *testing.B) (updatesPerSecond, peakRSSMB float64) {
	db, dsn := storagetest.NewDatabase(b)
	enrolUsers(b, db)
	fake := telegramtest.New(telegramtest.WithLimits(telegramtest.Limits{}))
	defer fake.Close()
	users := make([]*telegramtest.User, ingestUsers)
	for u := range users {
		users[u] = fake.User(int64(ingestFirstUser + u))
	}
	bin := buildSuivi(b)
	addr := freeAddr(b)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dsn, "TELEGRAM_BOT_TOKEN="+fake.Token(),
		"TELEGRAM_API_ENDPOINT="+fake.Endpoint(), "SUIVI_HTTP_ADDR="+addr, "SUIVI_LOG_LEVEL=warn", "REDIS_URL=")
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	waitReady(b, addr)

	start := time.Now()
	for i := range ingestPerUser {
		for _, u := range users {
			u.SendCommand(strings.TrimPrefix(ingestText(i), "/"), "")
		}
	}
	for {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM telegram_updates`).Scan(&n); err != nil {
			b.Fatal(err)
		}
		if n >= ingestTotal {
			break
		}
		if time.Since(start) > 5*time.Minute {
			b.Fatalf("only %d of %d updates handled", n, ingestTotal)
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	return float64(ingestTotal) / elapsed.Seconds(), peakRSS(b, cmd.Process.Pid)
}

func buildSuivi(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "suivi")
	build := exec.Command("go", "build", "-o", bin, "suivi/cmd/suivi")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		b.Fatalf("build suivi: %v", err)
	}
	return bin
}

func freeAddr(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitReady(b *testing.B, addr string) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatal("suivi serve did not become ready")
}

// peakRSS reads the process's high-water resident set size (VmHWM).
func peakRSS(b *testing.B, pid int) float64 {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	b.Fatal("no VmHWM in /proc status")
	return 0
}
