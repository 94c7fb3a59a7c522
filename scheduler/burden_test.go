package scheduler

import (
	"fmt"
	"testing"
	"time"
)

// burdenCampaigns is the programme's schedule with the project check-in for
// micro-project holders only.
var burdenCampaigns = []Campaign{
	{FlowID: "project", Months: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, Eligible: map[string][]string{"assistance": {"microproject"}}},
	{FlowID: "wellbeing", Months: []int{1, 3, 6, 9, 12}},
	{FlowID: "reintegration", Months: []int{6, 12}},
	{FlowID: "satisfaction", Months: []int{12}},
}

// TestBurdenSimulatedYear runs thirteen months of schedule for 200
// returnees, half of them micro-project holders, in several zones and
// windows, some answering at once, some after a reminder, some never: nobody
// gets two check-ins on one local day, any two check-ins of one returnee
// open at least two local days apart (so the three or four flows of months 6
// and 12 are spread inside the month), and only micro-project holders get
// the project check-in.
func TestBurdenSimulatedYear(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.scheduler(t, func(c *Config) { c.Campaigns = burdenCampaigns })
	start := time.Date(2025, 1, 15, 6, 0, 0, 0, time.UTC)
	kind := map[int64]int{}
	holder := map[int64]bool{}
	for i := range 200 {
		p := profiles[i%len(profiles)]
		id := addReturnee(t, e.db, returnee{
			ReturnDate: dateOf(start).AddDate(0, 0, -25+i%60),
			Timezone:   p.tz, WindowStart: p.start, WindowEnd: p.end,
		})
		assistance := "{training}"
		if i%2 == 0 {
			assistance = "{material,microproject}"
			holder[id] = true
		}
		if _, err := e.db.Exec(`UPDATE returnees SET assistance = $2, sector = 'commerce' WHERE id = $1`, id, assistance); err != nil {
			t.Fatal(err)
		}
		kind[id] = i % 3
	}
	answer := e.answerByKind(t, kind)
	rounds := e.simulate(t, []*Scheduler{s}, start, start.AddDate(1, 1, 0), answer)

	rows := e.checkOpenedInWindows(t, s)
	t.Logf("%d rounds, %d check-ins opened", rounds, len(rows))
	if len(rows) < 2000 {
		t.Errorf("only %d check-ins opened in a year for 200 returnees", len(rows))
	}
	last := map[int64]openedRow{}
	perMonth := map[string]int{}
	for _, o := range e.openedInOrder(t) {
		w := s.zones.window(o.Timezone, o.WS, o.WE)
		day := dateOf(o.OpenedAt.In(w.Loc))
		if p, ok := last[o.ReturneeID]; ok {
			prev := dateOf(p.OpenedAt.In(w.Loc))
			if gap := int(day.Sub(prev).Hours() / 24); gap < SpreadDays {
				t.Errorf("returnee %d: %s month %d opened %s, %d day(s) after %s month %d (%s)", o.ReturneeID,
					o.FlowID, o.Month, day.Format(time.DateOnly), gap, p.FlowID, p.Month, prev.Format(time.DateOnly))
			}
		}
		last[o.ReturneeID] = o
		perMonth[fmt.Sprintf("%d/%d", o.ReturneeID, o.Month)]++
		if o.FlowID == "project" && !holder[o.ReturneeID] {
			t.Errorf("returnee %d without a micro-project got project check-in month %d", o.ReturneeID, o.Month)
		}
	}
	// The rule was put to work: months 6 and 12 hold three or four flows.
	crowded := 0
	for _, n := range perMonth {
		if n >= 3 {
			crowded++
		}
	}
	if crowded < 100 {
		t.Errorf("only %d returnee-months with three or more check-ins: the test does not reach months 6 and 12", crowded)
	}
	for id, h := range holder {
		n := e.count(t, `SELECT count(*) FROM checkins WHERE returnee_id = $1 AND flow_id = 'project'`, id)
		if h && n < 11 {
			t.Errorf("micro-project holder %d has %d project check-ins, want one a month", id, n)
		}
		if !h && n != 0 {
			t.Errorf("returnee %d without a micro-project has %d project check-ins", id, n)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM checkins WHERE status IN ('planned', 'open') AND due_date < $1`, start.AddDate(1, 0, 0)); n != 0 {
		t.Errorf("%d check-ins due before the last month still not done", n)
	}
}

// openedInOrder lists opened check-ins by returnee, then opening instant.
func (e *testEnv) openedInOrder(t testing.TB) []openedRow {
	t.Helper()
	rows, err := e.db.Query(`
		SELECT c.id, c.returnee_id, c.flow_id, c.month, c.opened_at, r.timezone,
		       to_char(r.window_start, 'HH24:MI'), to_char(r.window_end, 'HH24:MI')
		FROM checkins c JOIN returnees r ON r.id = c.returnee_id
		WHERE c.opened_at IS NOT NULL ORDER BY c.returnee_id, c.opened_at`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []openedRow
	for rows.Next() {
		var o openedRow
		if err := rows.Scan(&o.ID, &o.ReturneeID, &o.FlowID, &o.Month, &o.OpenedAt, &o.Timezone, &o.WS, &o.WE); err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}
