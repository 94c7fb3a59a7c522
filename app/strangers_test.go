package app_test

import (
	"testing"
	"time"

	"suivi/app"
)

// 30 unknown accounts writing ten times each while a returnee answers a
// check-in, with Telegram's limits on: each stranger gets one reply, and the
// returnee's next question still comes within seconds.
func TestStrangersCannotStarveACheckin(t *testing.T) {
	w := newWorld(t)
	r := w.start(w.Cfg, app.Options{})
	const ref = "MA-S-1"
	p := w.person(8500, "fr")
	p.onboard(w.enrol(ref))
	w.startCheckin(r, ref, "project_checkin")
	q := p.next()
	for len(q.Buttons()) == 0 {
		q = p.next()
	}
	const strangers, times = 30, 10
	for i := range strangers {
		s := w.Fake.User(int64(9100 + i))
		for range times {
			s.SendText("bonjour ?")
		}
	}
	w.eventually("the flood to be handled", func() bool { return w.Fake.PendingUpdates() == 0 })
	pressed := time.Now()
	p.press(q, ":operating")
	p.next()
	if waited := time.Since(pressed); waited > 5*time.Second {
		t.Fatalf("the returnee's next question came %v after their answer, behind the strangers' replies; want within a few seconds", waited)
	}
	p.settle()
	for i := range strangers {
		if n := len(w.Fake.Messages(int64(9100 + i))); n != 1 {
			t.Fatalf("stranger %d wrote %d times and got %d replies, want 1", i, times, n)
		}
	}
	if n := w.count(`SELECT count(*) FROM stranger_replies`); n != strangers {
		t.Fatalf("%d strangers remembered, want %d", n, strangers)
	}
}
