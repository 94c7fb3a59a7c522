package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"suivi/app"
	"suivi/bot/telegramtest"
	"suivi/storage"
)

// clock is a test clock the App reads: real time moved forward by the
// test (the outbox's rows carry the database's time, so it must run).
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return time.Now().Add(c.offset) }

func (c *clock) add(d time.Duration) { c.mu.Lock(); c.offset += d; c.mu.Unlock() }

// team is the staff of an alert test: a supervisor, two case workers of
// their team, a case worker of no team, and an on-call administrator.
type team struct {
	sup, cw, cw2, other, oncall *person
}

// staffWorld starts an App on a clock with a team on Telegram; tune may
// change the configuration before the start.
func staffWorld(t *testing.T, tune func(*app.Config)) (*world, *running, *team, *clock) {
	w := newWorld(t)
	l := telegramtest.AllLimits()
	l.PerChatRate, l.GlobalRate = false, false
	w.Fake.SetLimits(l)
	w.Cfg.SendChatInterval = 0
	w.Cfg.OnCall = []string{"oncall.admin"}
	tm := &team{
		sup: w.staff("sup.karim", 9101, "supervisor", "", "fr"), cw: w.staff("cw.salma", 9102, "caseworker", "sup.karim", "en"),
		cw2: w.staff("cw.youssef", 9103, "caseworker", "sup.karim", "fr"), other: w.staff("cw.other", 9104, "caseworker", "", "fr"),
		oncall: w.staff("oncall.admin", 9105, "admin", "", "en"),
	}
	if tune != nil {
		tune(&w.Cfg)
	}
	c := &clock{}
	r := w.start(w.Cfg, app.Options{Now: c.Now})
	return w, r, tm, c
}

// staff adds a staff member bound to Telegram user id.
func (w *world) staff(handle string, id int64, role, supervisor, lang string) *person {
	w.t.Helper()
	_, err := storage.UpsertStaff(context.Background(), w.DB, storage.StaffInput{Handle: handle, TelegramID: &id,
		Name: handle, Role: role, SupervisorHandle: supervisor, Language: lang})
	if err != nil {
		w.t.Fatal(err)
	}
	return w.person(id, lang)
}

// returnee enrols and onboards a returnee followed by caseworker ("" for
// none).
func (w *world) returnee(ref string, id int64, caseworker string) *person {
	w.t.Helper()
	_, _, err := storage.UpsertReturnees(context.Background(), w.DB, []storage.ReturneeInput{{Ref: ref, Sex: "M",
		BirthDate: time.Date(1990, 3, 1, 0, 0, 0, 0, time.UTC), ReturnDate: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		HostCountry: "IT", Region: "Oriental", Programme: "AVRR", CaseworkerHandle: caseworker}})
	if err != nil {
		w.t.Fatal(err)
	}
	p := w.person(id, "fr")
	p.onboard(w.invite(ref))
	return p
}

// safetyAnswer runs a wellbeing check-in to a positive safety answer.
func (p *person) safetyAnswer(r *running, ref string) {
	p.w.t.Helper()
	p.w.startCheckin(r, ref, "wellbeing")
	for range 5 {
		p.answer(":0")
	}
	p.answer(":3")
	p.answer(":3")
	p.answer(":2")
	p.settle()
	p.seen = len(p.w.Fake.Messages(p.u.ID()))
}

// alertID is the returnee's open alert of a category.
func (w *world) alertID(ref, category string) int64 {
	w.t.Helper()
	var id int64
	if err := w.DB.QueryRow(`SELECT a.id FROM alerts a JOIN returnees r ON r.id = a.returnee_id
		WHERE r.ref = $1 AND a.category = $2 ORDER BY a.id DESC LIMIT 1`, ref, category).Scan(&id); err != nil {
		w.t.Fatalf("alert of %s (%s): %v", ref, category, err)
	}
	return id
}

// callbackAnswer waits for the answer to a press.
func (w *world) callbackAnswer(queryID string) telegramtest.CallbackAnswer {
	w.t.Helper()
	var got telegramtest.CallbackAnswer
	w.eventually("callback answer "+queryID, func() bool {
		for _, a := range w.Fake.CallbackAnswers() {
			if a.ID == queryID {
				got = a
				return true
			}
		}
		return false
	})
	return got
}

// message waits for the message of chat whose id is id (it may be edited).
func (w *world) message(chatID int64, id int) telegramtest.Message {
	for _, m := range w.Fake.Messages(chatID) {
		if m.ID == id {
			return m
		}
	}
	w.t.Fatalf("no message %d in chat %d", id, chatID)
	return telegramtest.Message{}
}

func hasButton(m telegramtest.Message, suffix string) bool {
	for _, row := range m.Buttons() {
		for _, b := range row {
			if strings.HasSuffix(b.Data, suffix) {
				return true
			}
		}
	}
	return false
}

func appOptions(c *clock) app.Options { return app.Options{Now: c.Now} }

// card waits for the message in p's chat that shows alert id with the lead
// text want.
func (p *person) card(id int64, want string) telegramtest.Message {
	p.w.t.Helper()
	var got telegramtest.Message
	p.w.eventually(fmt.Sprintf("alert %d %q in chat %d", id, want, p.u.ID()), func() bool {
		for _, m := range p.w.Fake.Messages(p.u.ID()) {
			if (strings.Contains(m.Text, fmt.Sprintf("no. %d ", id)) || strings.Contains(m.Text, fmt.Sprintf("n° %d ", id))) &&
				strings.Contains(m.Text, want) {
				got = m
				return true
			}
		}
		return false
	})
	return got
}

func (w *world) staffID(handle string) int64 {
	w.t.Helper()
	var id int64
	if err := w.DB.QueryRow(`SELECT id FROM staff WHERE handle = $1`, handle).Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	return id
}
