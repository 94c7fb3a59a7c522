package bench

import (
	"context"
	"database/sql"
	"encoding/json"
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
	"sync"
	"testing"
	"time"

	"suivi/app"
	"suivi/bot/telegramtest"
	"suivi/storage"
	"suivi/storage/storagetest"
)

const (
	ingestUsers      = 300
	ingestPerUser    = 10 // answers each: the ten questions of bench_numbers
	ingestFirstUser  = 900000
	ingestTotal      = ingestUsers * ingestPerUser
	ingestUserPrefix = "MA-BENCH-"
	ingestFlow       = "bench_numbers"
	// ingestClients is how many chats `suivi serve` handles at once (the
	// poller's default workers), so the baseline runs as many clients.
	ingestClients = 8
)

// BenchmarkIngest measures answers handled per second end to end — the
// fake Telegram, `suivi serve` as its own process polling it, one
// transaction per answer, the next question in the outbox — against a
// baseline that replays the statements each answer costs at the least
// (the dedupe insert into telegram_updates, the answer insert, the
// conversation's state update, the outbox insert), with no Suivi logic, from
// as many concurrent clients as serve handles chats at once, in the same run.
// It also reports the serve process's peak RSS.
func BenchmarkIngest(b *testing.B) {
	baseline := ingestBaseline(b)
	e2e, rss := ingestEndToEnd(b)
	b.ReportMetric(e2e, "updates/s")
	fmt.Printf("ingest baseline: %.0f updates/s (the four statements of an answer, %d clients, no Suivi logic)\n", baseline, ingestClients)
	fmt.Printf("ingest e2e: %.0f updates/s (%d typed answers from %d people through suivi serve)\n", e2e, ingestTotal, ingestUsers)
	fmt.Printf("ingest ratio: %.2f\n", e2e/baseline)
	fmt.Printf("peak RSS: %.1f MB\n", rss)
}

// enrolUsers adds the benchmark's returnees, consented and bound to Telegram.
func enrolUsers(b *testing.B, db *sql.DB) {
	b.Helper()
	_, err := db.Exec(`
		INSERT INTO returnees (ref, sex, birth_date, return_date, host_country, telegram_id, chat_id, consent, consent_at, language)
		SELECT $1 || n, 'M', '1990-01-01', current_date + 400, 'IT', $2::bigint + n, $2::bigint + n, 'accepted', now(), 'fr'
		FROM generate_series(0, $3::int - 1) AS n`, ingestUserPrefix, ingestFirstUser, ingestUsers)
	if err != nil {
		b.Fatal(err)
	}
}

// ingestConversation is one returnee's open check-in.
type ingestConversation struct {
	id, returnee, chat int64
	state              json.RawMessage
}

// startCheckins opens every returnee's bench_numbers check-in, as the
// command line does, and returns them.
func startCheckins(b *testing.B, db *sql.DB, dsn string) []ingestConversation {
	b.Helper()
	cfg, err := app.LoadConfig(func(k string) string {
		return map[string]string{"DATABASE_URL": dsn, "SUIVI_FLOWS_DIR": "testdata/flows"}[k]
	})
	if err != nil {
		b.Fatal(err)
	}
	cat, err := cfg.LoadFlows()
	if err != nil {
		b.Fatal(err)
	}
	conv := cfg.Conversations(cat, time.Now, slog.New(slog.DiscardHandler))
	ctx := context.Background()
	out := make([]ingestConversation, ingestUsers)
	err = storage.InTx(ctx, db, func(tx *sql.Tx) error {
		for u := range ingestUsers {
			r, err := storage.ReturneeByRef(ctx, tx, ingestUserPrefix+strconv.Itoa(u))
			if err != nil {
				return err
			}
			id, err := conv.Start(ctx, tx, r, ingestFlow, storage.LaneReply)
			if err != nil {
				return err
			}
			c, err := storage.ConversationByID(ctx, tx, id)
			if err != nil {
				return err
			}
			out[u] = ingestConversation{id: id, returnee: r.ID, chat: int64(ingestFirstUser + u), state: c.State}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// ingestBaseline replays, for each of the answers, the four statements in
// one transaction, from ingestClients clients, each with its share of the
// chats and each chat's answers in order.
func ingestBaseline(b *testing.B) float64 {
	db, dsn := storagetest.NewDatabase(b)
	enrolUsers(b, db)
	convs := startCheckins(b, db, dsn)
	db.SetMaxOpenConns(ingestClients)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, ingestClients)
	start := time.Now()
	for client := range ingestClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for q := range ingestPerUser {
				for u := client; u < ingestUsers; u += ingestClients {
					if err := replayAnswer(ctx, db, convs[u], q*ingestUsers+u+1, q); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	var answers int
	db.QueryRow(`SELECT count(*) FROM answers`).Scan(&answers)
	if answers != ingestTotal {
		b.Fatalf("baseline stored %d answers, want %d", answers, ingestTotal)
	}
	return float64(ingestTotal) / elapsed.Seconds()
}

// replayAnswer is one answer's statements, the way the handler writes them.
func replayAnswer(ctx context.Context, db *sql.DB, c ingestConversation, updateID, q int) error {
	now := time.Now()
	return storage.InTx(ctx, db, func(tx *sql.Tx) error {
		if _, err := storage.StartUpdate(ctx, tx, updateID, c.chat, now); err != nil {
			return err
		}
		score := 3.0
		if err := storage.InsertAnswers(ctx, tx, c.id, c.returnee, ingestFlow, []storage.AnswerRow{{
			QuestionID: fmt.Sprintf("n%d", q+1), Value: json.RawMessage(`3`), Score: &score}}, now); err != nil {
			return err
		}
		if err := storage.SaveConversation(ctx, tx, c.id, c.state, storage.ConversationActive, now); err != nil {
			return err
		}
		return storage.EnqueueMessages(ctx, tx, storage.OutboxMessage{ChatID: c.chat, Lane: storage.LaneReply, Method: "sendMessage",
			Params: map[string]string{"chat_id": strconv.FormatInt(c.chat, 10), "text": "Combien, question deux ?"}})
	})
}

func ingestEndToEnd(b *testing.B) (updatesPerSecond, peakRSSMB float64) {
	db, dsn := storagetest.NewDatabase(b)
	enrolUsers(b, db)
	startCheckins(b, db, dsn)
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
		"TELEGRAM_API_ENDPOINT="+fake.Endpoint(), "SUIVI_HTTP_ADDR="+addr, "SUIVI_LOG_LEVEL=warn", "REDIS_URL=",
		"SUIVI_FLOWS_DIR=testdata/flows")
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	waitReady(b, addr)

	start := time.Now()
	for range ingestPerUser {
		for _, u := range users {
			u.SendText("3")
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
	var answers int
	db.QueryRow(`SELECT count(*) FROM answers`).Scan(&answers)
	if answers != ingestTotal {
		b.Fatalf("suivi serve stored %d answers, want %d", answers, ingestTotal)
	}
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
