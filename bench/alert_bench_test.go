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
	alertWave      = 2000   // check-in openers saturating the send budget
	alertPeople    = 20     // returnees answering the safety question during the wave
	alertFirstUser = 800000 // returnees; their case workers are alertFirstUser+100000+i
)

// BenchmarkAlertLatency measures the time from a positive safety answer (the
// press reaching the fake Telegram) to the case worker's alert being sent
// (the fake receiving it), while a wave of 2,000 check-in openers saturates
// the send budget: Telegram's limits on in the fake (30 messages/s, 1/s per
// chat), Suivi's default send rate.
func BenchmarkAlertLatency(b *testing.B) {
	db, dsn := storagetest.NewDatabase(b)
	fake := telegramtest.New(telegramtest.WithLimits(telegramtest.AllLimits()))
	defer fake.Close()
	ctx := context.Background()
	for i := range alertPeople {
		tg := int64(alertFirstUser + 100000 + i)
		fake.User(tg)
		if _, err := storage.UpsertStaff(ctx, db, storage.StaffInput{Handle: fmt.Sprintf("cw.%d", i), TelegramID: &tg,
			Name: "cw", Role: "caseworker", Language: "fr"}); err != nil {
			b.Fatal(err)
		}
	}
	_, err := db.Exec(`
		INSERT INTO returnees (ref, sex, birth_date, return_date, host_country, telegram_id, chat_id, consent, consent_at, language, caseworker_id)
		SELECT 'MA-AB-' || n, 'F', '1990-01-01', '2026-01-01', 'MA', $1::bigint + n, $1::bigint + n, 'accepted', now(), 'fr',
		       (SELECT id FROM staff WHERE handle = 'cw.' || n)
		FROM generate_series(0, $2::int - 1) AS n`, alertFirstUser, alertWave+alertPeople)
	if err != nil {
		b.Fatal(err)
	}
	a := serveApp(b, dsn, fake, nil)

	// The people who will answer: brought to the safety question first.
	start := func(from, n, lane int) {
		err := storage.InTx(ctx, db, func(tx *sql.Tx) error {
			for i := from; i < from+n; i++ {
				r, err := storage.ReturneeByRef(ctx, tx, fmt.Sprintf("MA-AB-%d", i))
				if err != nil {
					return err
				}
				if _, err := a.Conversations.Start(ctx, tx, r, "wellbeing", lane); err != nil {
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
	for i := range alertWave + alertPeople {
		fake.User(int64(alertFirstUser + i))
	}
	start(0, alertPeople, storage.LaneReply)
	safety := make([]telegramtest.Message, alertPeople)
	var wg sync.WaitGroup
	for i := range alertPeople {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := fake.User(int64(alertFirstUser + i))
			wctx, stop := context.WithTimeout(ctx, 3*time.Minute)
			defer stop()
			answers := []string{":0", ":0", ":0", ":0", ":0", ":3", ":3"}
			for seen := 1; ; seen++ {
				msgs, err := fake.WaitMessages(wctx, u.ID(), seen)
				if err != nil {
					b.Error(err)
					return
				}
				m := msgs[seen-1]
				if strings.Contains(m.Text, "pensées sombres") {
					safety[i] = m
					return
				}
				if len(m.Buttons()) == 0 || len(answers) == 0 {
					continue
				}
				pressButton(u, m, answers[0])
				answers = answers[1:]
			}
		}()
	}
	wg.Wait()
	if b.Failed() {
		return
	}

	b.ResetTimer()
	start(alertPeople, alertWave, storage.LaneBulk)
	time.Sleep(2 * time.Second) // the wave is sending
	latencies := make([]time.Duration, alertPeople)
	for i := range alertPeople {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := fake.User(int64(alertFirstUser + i))
			pressed := time.Now()
			pressButton(u, safety[i], ":2")
			wctx, stop := context.WithTimeout(ctx, 2*time.Minute)
			defer stop()
			if err := waitAlert(wctx, fake, int64(alertFirstUser+100000+i)); err != nil {
				b.Error(err)
				return
			}
			latencies[i] = time.Since(pressed)
		}()
		time.Sleep(250 * time.Millisecond)
	}
	wg.Wait()
	b.StopTimer()
	if b.Failed() {
		return
	}
	var pending int
	db.QueryRow(`SELECT count(*) FROM outbox WHERE status = 'pending' AND lane = $1`, storage.LaneBulk).Scan(&pending)
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	p50 := latencies[len(latencies)/2]
	p95 := latencies[(len(latencies)*95+99)/100-1]
	b.ReportMetric(p95.Seconds(), "p95-s")
	fmt.Printf("alert latency p50: %.2f s\n", p50.Seconds())
	fmt.Printf("alert latency p95: %.2f s\n", p95.Seconds())
	fmt.Printf("alert latency: %d safety answers during a wave of %d openers (%d still queued on the bulk lane at the end)\n",
		alertPeople, alertWave, pending)
}

// pressButton presses the button of m whose data ends with suffix.
func pressButton(u *telegramtest.User, m telegramtest.Message, suffix string) {
	for _, row := range m.Buttons() {
		for _, btn := range row {
			if strings.HasSuffix(btn.Data, suffix) {
				u.Press(m.ID, btn.Data)
				return
			}
		}
	}
}

// waitAlert waits for a safety alert in a case worker's chat.
func waitAlert(ctx context.Context, fake *telegramtest.Server, chatID int64) error {
	for {
		for _, m := range fake.Messages(chatID) {
			if strings.Contains(m.Text, "sécurité") {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}
