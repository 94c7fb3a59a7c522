package app_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"suivi/app"
	"suivi/bot/telegramtest"
	"suivi/storage"
)

// conversational returns a world whose fake and sender skip the per-chat
// pace, so a journey of many messages runs in milliseconds.
func conversational(t *testing.T) (*world, *running) {
	w := newWorld(t)
	l := telegramtest.AllLimits()
	l.PerChatRate, l.GlobalRate = false, false
	w.Fake.SetLimits(l)
	w.Cfg.SendChatInterval = 0
	r := w.start(w.Cfg, app.Options{})
	return w, r
}

// person is a Telegram user in a journey, reading the bot's messages in order.
type person struct {
	w    *world
	u    *telegramtest.User
	seen int
}

func (w *world) person(id int64, lang string) *person {
	return &person{w: w, u: w.Fake.User(id, telegramtest.Language(lang))}
}

// next waits for the bot's next message.
func (p *person) next() telegramtest.Message {
	p.w.t.Helper()
	msgs := p.w.waitMessages(p.u.ID(), p.seen+1)
	p.seen++
	return msgs[p.seen-1]
}

// expect waits for the next message and checks it contains want.
func (p *person) expect(want string) telegramtest.Message {
	p.w.t.Helper()
	m := p.next()
	if !strings.Contains(m.Text, want) {
		p.w.t.Fatalf("bot said %q, want it to contain %q", m.Text, want)
	}
	return m
}

// press presses the button of m whose callback data ends with suffix.
func (p *person) press(m telegramtest.Message, suffix string) {
	p.w.t.Helper()
	for _, row := range m.Buttons() {
		for _, b := range row {
			if strings.HasSuffix(b.Data, suffix) {
				p.u.Press(m.ID, b.Data)
				return
			}
		}
	}
	p.w.t.Fatalf("no button ending in %q on %q (buttons %v)", suffix, m.Text, m.Buttons())
}

// answer presses a button on the next message that has a keyboard.
func (p *person) answer(suffix string) telegramtest.Message {
	p.w.t.Helper()
	for {
		m := p.next()
		if len(m.Buttons()) > 0 {
			p.press(m, suffix)
			return m
		}
	}
}

// settle waits until the outbox is drained and the fake has every message.
func (p *person) settle() {
	p.w.t.Helper()
	p.w.eventually("updates to be handled", func() bool { return p.w.Fake.PendingUpdates() == 0 })
	p.w.eventually("the outbox to drain", func() bool {
		return p.w.count(`SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')`) == 0
	})
	time.Sleep(50 * time.Millisecond)
}

// enrol adds a case worker and a returnee and returns an invitation token.
func (w *world) enrol(ref string) string {
	w.t.Helper()
	ctx := context.Background()
	cw, err := storage.UpsertStaff(ctx, w.DB, storage.StaffInput{Handle: "cw.test", Name: "Case Worker", Role: "caseworker"})
	if err != nil {
		w.t.Fatal(err)
	}
	_, _, err = storage.UpsertReturnees(ctx, w.DB, []storage.ReturneeInput{{Ref: ref, Sex: "F",
		BirthDate: time.Date(1994, 3, 1, 0, 0, 0, 0, time.UTC), ReturnDate: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		HostCountry: "IT", Region: "Oriental", Programme: "AVRR", CaseworkerHandle: cw.Handle}})
	if err != nil {
		w.t.Fatal(err)
	}
	return w.invite(ref)
}

// onboard runs the onboarding to the end with consent given.
func (p *person) onboard(token string) {
	p.w.t.Helper()
	p.u.SendCommand("start", token)
	p.answer(":" + p.lang())
	p.answer(":accepted")
	p.answer(":morning")
	p.settle()
	p.seen = len(p.w.Fake.Messages(p.u.ID()))
}

func (p *person) lang() string {
	var lang string
	p.w.DB.QueryRow(`SELECT 1`).Scan(new(int))
	switch {
	case p.u.ID()%10 == 1:
		lang = "ar"
	case p.u.ID()%10 == 2:
		lang = "en"
	default:
		lang = "fr"
	}
	return lang
}

// startCheckin opens a check-in now, as `suivi checkins start` does.
func (w *world) startCheckin(r *running, ref, flow string) {
	w.t.Helper()
	ctx := context.Background()
	err := storage.InTx(ctx, w.DB, func(tx *sql.Tx) error {
		ret, err := storage.ReturneeByRef(ctx, tx, ref)
		if err != nil {
			return err
		}
		_, err = r.App.Conversations.Start(ctx, tx, ret, flow, storage.LaneReply)
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	r.App.Sender.Wake()
}
