package bench

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"suivi/bot/telegramtest"
	"suivi/storage"
	"suivi/storage/storagetest"
)

const (
	checkinPeople    = 200
	checkinFirstUser = 700000
	checkinQuestions = 10
)

// BenchmarkCheckinsEndToEnd measures complete ten-question check-ins per
// second: Suivi serving (polling the fake Telegram, one transaction per
// answer, the sender delivering each next question) while 200 people
// answer at once, each pressing a button as soon as a question arrives.
func BenchmarkCheckinsEndToEnd(b *testing.B) {
	db, dsn := storagetest.NewDatabase(b)
	fake := telegramtest.New(telegramtest.WithLimits(telegramtest.Limits{TextLength: true, CallbackData: true}))
	defer fake.Close()
	_, err := db.Exec(`
		INSERT INTO returnees (ref, sex, birth_date, return_date, host_country, telegram_id, chat_id, consent, consent_at, language)
		SELECT 'MA-CK-' || n, 'F', '1990-01-01', '2026-01-01', 'MA', $1::bigint + n, $1::bigint + n, 'accepted', now(), 'fr'
		FROM generate_series(0, $2::int - 1) AS n`, checkinFirstUser, checkinPeople)
	if err != nil {
		b.Fatal(err)
	}
	users := make([]*telegramtest.User, checkinPeople)
	for i := range users {
		users[i] = fake.User(int64(checkinFirstUser + i))
	}
	a := serveApp(b, dsn, fake, map[string]string{
		"SUIVI_FLOWS_DIR": "testdata/flows", "SUIVI_SEND_RATE": "1000", "SUIVI_SEND_CHAT_INTERVAL": "0s"})
	ctx := context.Background()

	b.ResetTimer()
	start := time.Now()
	err = storage.InTx(ctx, db, func(tx *sql.Tx) error {
		for i := range checkinPeople {
			r, err := storage.ReturneeByRef(ctx, tx, fmt.Sprintf("MA-CK-%d", i))
			if err != nil {
				return err
			}
			if _, err := a.Conversations.Start(ctx, tx, r, "bench_ten", storage.LaneReply); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	a.Sender.Wake()
	var wg sync.WaitGroup
	errs := make(chan error, checkinPeople)
	for _, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wctx, stop := context.WithTimeout(ctx, 5*time.Minute)
			defer stop()
			for q := 1; q <= checkinQuestions; q++ {
				msgs, err := fake.WaitMessages(wctx, u.ID(), q)
				if err != nil {
					errs <- err
					return
				}
				m := msgs[q-1]
				u.Press(m.ID, m.Buttons()[0][0].Data)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	for {
		var n int
		db.QueryRow(`SELECT count(*) FROM conversations WHERE flow_id = 'bench_ten' AND status = 'completed'`).Scan(&n)
		if n == checkinPeople {
			break
		}
		if time.Since(start) > 5*time.Minute {
			b.Fatalf("only %d of %d check-ins completed", n, checkinPeople)
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	var answers int
	db.QueryRow(`SELECT count(*) FROM answers`).Scan(&answers)
	if answers != checkinPeople*checkinQuestions {
		b.Fatalf("%d answers stored, want %d", answers, checkinPeople*checkinQuestions)
	}
	rate := float64(checkinPeople) / elapsed.Seconds()
	b.ReportMetric(rate, "checkins/s")
	fmt.Printf("checkins end to end: %.1f complete ten-question check-ins/s (%d people at once, %d answers in %.2f s)\n",
		rate, checkinPeople, answers, elapsed.Seconds())
}
