package replicas

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"suivi/app"
	"suivi/followup"
	"suivi/storage"
)

const (
	waveFlow      = "replica_three" // testdata/flows: three yes/no questions, then thanks
	waveQuestions = 3
	firstChat     = 5_000_000
)

// waveSize is the number of check-in openers and of returnees answering at
// the same time: 2,000 and 500, or SUIVI_REPLICAS_WAVE openers (and a
// quarter as many answering) for a quicker local run.
func waveSize() (openers, answering int) {
	if n, err := strconv.Atoi(os.Getenv("SUIVI_REPLICAS_WAVE")); err == nil && n >= 4 {
		return n, n / 4
	}
	return 2000, 500
}

// wave is one run's returnees: the first `answering` answer every question
// as it arrives; the `openers` after them only get their check-in opened.
type wave struct {
	c                  *cluster
	openers, answering int
	conv               *followup.Conversations
	mu                 sync.Mutex
	latencies          []time.Duration // answer pressed → next message in the chat
}

// seedWave enrols the returnees, consented and bound to Telegram, and gives
// each a user in the fake.
func (c *cluster) seedWave(openers, answering int) *wave {
	t := c.t
	t.Helper()
	_, err := c.db.Exec(`
		INSERT INTO returnees (ref, sex, birth_date, return_date, host_country, telegram_id, chat_id, consent, consent_at, language)
		SELECT 'RP-' || n, 'F', '1990-01-01', current_date + 400, 'MA', $1::bigint + n, $1::bigint + n, 'accepted', now(), 'fr'
		FROM generate_series(0, $2::int - 1) AS n`, firstChat, openers+answering)
	if err != nil {
		t.Fatalf("enrol returnees: %v", err)
	}
	for i := range openers + answering {
		c.fake.User(int64(firstChat + i))
	}
	flowsDir, _ := filepath.Abs("testdata/flows")
	cfg, err := app.LoadConfig(func(k string) string {
		return map[string]string{"DATABASE_URL": c.dsn, "SUIVI_FLOWS_DIR": flowsDir}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := cfg.LoadFlows()
	if err != nil {
		t.Fatal(err)
	}
	// The same call `suivi checkins start` and the scheduler's opener make.
	conv := cfg.Conversations(cat, time.Now, slog.New(slog.DiscardHandler))
	return &wave{c: c, openers: openers, answering: answering, conv: conv}
}

// open opens the check-ins of returnees [from, from+n) on lane, 250 per
// transaction.
func (w *wave) open(from, n, lane int) {
	t := w.c.t
	ctx := context.Background()
	for lo := from; lo < from+n; lo += 250 {
		hi := min(lo+250, from+n)
		err := storage.InTx(ctx, w.c.db, func(tx *sql.Tx) error {
			for i := lo; i < hi; i++ {
				r, err := storage.ReturneeByRef(ctx, tx, fmt.Sprintf("RP-%d", i))
				if err != nil {
					return err
				}
				if _, err := w.conv.Start(ctx, tx, r, waveFlow, lane); err != nil {
					return fmt.Errorf("open check-in of RP-%d: %w", i, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// run opens the answering returnees' check-ins, then the wave of openers,
// and has the answering returnees press a button on every question as it
// arrives. It returns once they all got the closing message.
func (w *wave) run(ctx context.Context, during func()) {
	t := w.c.t
	w.open(0, w.answering, storage.LaneReply)
	var wg sync.WaitGroup
	errs := make(chan error, w.answering)
	for i := range w.answering {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.answer(ctx, int64(firstChat+i)); err != nil {
				errs <- err
			}
		}()
	}
	w.open(w.answering, w.openers, storage.LaneBulk)
	if during != nil {
		during()
	}
	wg.Wait()
	close(errs)
	n := 0
	for err := range errs {
		if n++; n <= 5 {
			t.Error(err)
		}
	}
	if n > 0 {
		t.Fatalf("%d of %d returnees could not finish their check-in", n, w.answering)
	}
}

// answer plays one returnee: each question is answered with its first
// button as soon as it arrives, until the closing message. A question that
// comes twice (delivery is at least once) is answered again, as a person
// would; Suivi keeps the first answer.
func (w *wave) answer(ctx context.Context, chat int64) error {
	u := w.c.fake.User(chat)
	var pressed time.Time
	for seen := 1; ; seen++ {
		msgs, err := w.c.fake.WaitMessages(ctx, chat, seen)
		if err != nil {
			return fmt.Errorf("chat %d waiting for message %d: %w", chat, seen, err)
		}
		if !pressed.IsZero() {
			w.mu.Lock()
			w.latencies = append(w.latencies, time.Since(pressed))
			w.mu.Unlock()
			pressed = time.Time{}
		}
		m := msgs[seen-1]
		if len(m.Buttons()) == 0 {
			if strings.Contains(m.PlainText, "Merci") {
				return nil
			}
			continue
		}
		pressed = time.Now()
		u.Press(m.ID, m.Buttons()[0][0].Data)
	}
}

// drain waits until no message waits in the outbox.
func (c *cluster) drain(timeout time.Duration) time.Time {
	t := c.t
	deadline := time.Now().Add(timeout)
	for {
		var waiting int
		err := c.db.QueryRow(`SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')`).Scan(&waiting)
		if err == nil && waiting == 0 {
			return time.Now()
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages still wait in the outbox after %s (last error: %v)", waiting, timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// percentile of sorted durations, in seconds.
func percentile(d []time.Duration, p int) float64 {
	if len(d) == 0 {
		return 0
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	i := (len(d)*p+99)/100 - 1
	return d[max(i, 0)].Seconds()
}

// figure prints one `name: value unit` line (for the CI log and make
// bench's filter) and logs it with the test.
func figure(t *testing.T, name string, value float64, unit string) {
	t.Helper()
	line := fmt.Sprintf("%s: %s %s", name, strconv.FormatFloat(value, 'f', -1, 64), unit)
	if value != float64(int64(value)) {
		line = fmt.Sprintf("%s: %.2f %s", name, value, unit)
	}
	t.Log(line)
	fmt.Println(line)
}
