package bench

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"suivi/bot/telegramtest"
	"suivi/storage"
	"suivi/storage/storagetest"
)

const (
	interWave = 10000 // check-in openers keeping the send budget saturated
	// interPeople returnees answer a ten-question check-in meanwhile, each
	// after reading for interThink: about 10 sends a second (a question and
	// the edit showing the answer), so the wave keeps the rest of the budget
	// saturated. 50 people answering every 2 s would ask 50 sends a second
	// themselves, over the 30 allowed: their wait would then measure the
	// budget, not Suivi.
	interPeople    = 20
	interAlerts    = 20 // returnees answering the safety question meanwhile
	interFirstUser = 600000
	interThink     = 4 * time.Second // a person reads the question before answering
	interWindow    = 60 * time.Second
)

// BenchmarkInteractiveLatency measures, while a wave of 10,000 check-in
// openers saturates Telegram's 30 messages/s (the fake's limits on,
// Suivi's default rate), how long a returnee waits for the next question
// after answering one (answer pressed → next question at the fake), and how
// long a positive safety answer takes to reach the case worker. Measured
// during the first minute of the wave; the wave itself takes five.
func BenchmarkInteractiveLatency(b *testing.B) {
	db, dsn := storagetest.NewDatabase(b)
	fake := telegramtest.New(telegramtest.WithLimits(telegramtest.AllLimits()))
	defer fake.Close()
	ctx := context.Background()
	alertFirst := interFirstUser + interWave + interPeople // the safety answerers
	for i := range interAlerts {
		tg := int64(alertFirst + 100000 + i)
		fake.User(tg)
		if _, err := storage.UpsertStaff(ctx, db, storage.StaffInput{Handle: fmt.Sprintf("cw.%d", i), TelegramID: &tg,
			Name: "cw", Role: "caseworker", Language: "fr"}); err != nil {
			b.Fatal(err)
		}
	}
	_, err := db.Exec(`
		INSERT INTO returnees (ref, sex, birth_date, return_date, host_country, telegram_id, chat_id, consent, consent_at, language, caseworker_id)
		SELECT 'MA-IL-' || n, 'F', '1990-01-01', current_date + 400, 'MA', $1::bigint + n, $1::bigint + n, 'accepted', now(), 'fr',
		       (SELECT id FROM staff WHERE handle = 'cw.' || (n - $2::int))
		FROM generate_series(0, $3::int - 1) AS n`, interFirstUser, alertFirst-interFirstUser, interWave+interPeople+interAlerts)
	if err != nil {
		b.Fatal(err)
	}
	for i := range interWave + interPeople + interAlerts {
		fake.User(int64(interFirstUser + i))
	}
	a := serveApp(b, dsn, fake, map[string]string{"SUIVI_FLOWS_DIR": "testdata/flows"})
	open := func(from, n, lane int, flow string) {
		err := storage.InTx(ctx, db, func(tx *sql.Tx) error {
			for i := from; i < from+n; i++ {
				r, err := storage.ReturneeByRef(ctx, tx, fmt.Sprintf("MA-IL-%d", i))
				if err != nil {
					return err
				}
				if _, err := a.Conversations.Start(ctx, tx, r, flow, lane); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		a.Sender.Wake()
	}

	// The safety answerers are brought to the safety question first.
	open(alertFirst-interFirstUser, interAlerts, storage.LaneReply, "wellbeing")
	safety := make([]telegramtest.Message, interAlerts)
	var wg sync.WaitGroup
	for i := range interAlerts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chat := int64(alertFirst + i)
			wctx, stop := context.WithTimeout(ctx, 3*time.Minute)
			defer stop()
			answers := []string{":0", ":0", ":0", ":0", ":0", ":3", ":3"}
			for seen := 1; ; seen++ {
				msgs, err := fake.WaitMessages(wctx, chat, seen)
				if err != nil {
					b.Error(err)
					return
				}
				m := msgs[seen-1]
				if strings.Contains(m.Text, "pensées sombres") {
					safety[i] = m
					return
				}
				if len(m.Buttons()) == 0 {
					continue
				}
				pressButton(fake.User(chat), m, answers[0])
				answers = answers[1:]
			}
		}()
	}
	wg.Wait()
	if b.Failed() {
		return
	}

	b.ResetTimer()
	waveDone := make(chan struct{})
	go func() { // the wave, 500 openers a transaction
		defer close(waveDone)
		for from := 0; from < interWave; from += 500 {
			open(interPeople+from, 500, storage.LaneBulk, "bench_ten")
		}
	}()
	time.Sleep(3 * time.Second) // the wave is sending
	measureStart := time.Now()
	measureEnd := measureStart.Add(interWindow)
	open(0, interPeople, storage.LaneReply, "bench_ten")
	var mu sync.Mutex
	var interactive, alerts []time.Duration
	for i := range interPeople {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chat := int64(interFirstUser + i)
			var pressed time.Time
			for seen := 1; seen <= 10 && time.Now().Before(measureEnd); seen++ {
				wctx, stop := context.WithTimeout(ctx, 2*time.Minute)
				msgs, err := fake.WaitMessages(wctx, chat, seen)
				stop()
				if err != nil {
					b.Errorf("chat %d, question %d: %v", chat, seen, err)
					return
				}
				if !pressed.IsZero() {
					mu.Lock()
					interactive = append(interactive, time.Since(pressed))
					mu.Unlock()
				}
				time.Sleep(interThink)
				m := msgs[seen-1]
				pressed = time.Now()
				fake.User(chat).Press(m.ID, m.Buttons()[0][0].Data)
			}
		}()
	}
	for i := range interAlerts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * interWindow / 2 / interAlerts)
			pressed := time.Now()
			pressButton(fake.User(int64(alertFirst+i)), safety[i], ":2")
			wctx, stop := context.WithTimeout(ctx, 2*time.Minute)
			defer stop()
			if err := waitAlert(wctx, fake, int64(alertFirst+100000+i)); err != nil {
				b.Error(err)
				return
			}
			mu.Lock()
			alerts = append(alerts, time.Since(pressed))
			mu.Unlock()
		}()
	}
	wg.Wait()
	b.StopTimer()
	<-waveDone
	if b.Failed() {
		return
	}
	var sentBulk int
	db.QueryRow(`SELECT count(*) FROM outbox WHERE lane = $1 AND status = 'sent'`, storage.LaneBulk).Scan(&sentBulk)
	p := func(d []time.Duration, pct int) float64 {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[max((len(d)*pct+99)/100-1, 0)].Seconds()
	}
	if len(interactive) == 0 || len(alerts) == 0 {
		b.Fatal("nothing measured")
	}
	b.ReportMetric(p(interactive, 95), "p95-s")
	fmt.Printf("interactive p50: %.2f s\n", p(interactive, 50))
	fmt.Printf("interactive p95: %.2f s\n", p(interactive, 95))
	fmt.Printf("interactive p99: %.2f s\n", p(interactive, 99))
	fmt.Printf("alert latency p95 under load: %.2f s\n", p(alerts, 95))
	// The budget is saturated when the fake accepted about 30 sends a second
	// over the window.
	var accepted int
	for _, c := range fake.Calls("") {
		if c.Status == 200 && (c.Method == "sendMessage" || c.Method == "editMessageText") &&
			!c.Time.Before(measureStart) && c.Time.Before(measureEnd) {
			accepted++
		}
	}
	fmt.Printf("interactive sends accepted during the window: %.1f /s\n", float64(accepted)/interWindow.Seconds())
	fmt.Printf("interactive: %d answers from %d people and %d safety answers during a wave of %d openers (%d openers sent by the end, %d responses 429)\n",
		len(interactive), interPeople, len(alerts), interWave, sentBulk, fake.Count429())
}
