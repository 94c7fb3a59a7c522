package app

import (
	"slices"

	"suivi/flows"
	"suivi/scheduler"
)

// Campaigns lists the scheduled flows (trigger "return") at their latest
// version, for the planner. Flows due in the same month are spread in this
// order, so a flow that hands answers on (reuse_as) comes before one that
// takes them: within a month the survey then finds the project check-in's
// and the wellbeing screening's recent answers instead of asking again.
func Campaigns(cat *flows.Catalog) []scheduler.Campaign {
	var defs []*flows.Definition
	seen := map[string]bool{}
	for _, d := range cat.List() {
		if d.Schedule.Trigger != "return" || len(d.Schedule.Months) == 0 || seen[d.ID] {
			continue
		}
		seen[d.ID] = true
		latest, _ := cat.Latest(d.ID)
		defs = append(defs, latest)
	}
	slices.SortStableFunc(defs, func(a, b *flows.Definition) int { return reuseRank(a) - reuseRank(b) })
	out := make([]scheduler.Campaign, 0, len(defs))
	for _, d := range defs {
		_, most := d.QuestionCount(nil)
		c := scheduler.Campaign{FlowID: d.ID, Months: d.Schedule.Months, Questions: most}
		for k, vs := range d.Schedule.Eligible {
			if c.Eligible == nil {
				c.Eligible = map[string][]string{}
			}
			c.Eligible[k] = vs
		}
		out = append(out, c)
	}
	return out
}

// reuseRank orders flows for one month: those that hand answers on first,
// those that only take them last.
func reuseRank(d *flows.Definition) int {
	gives, takes := false, false
	for _, q := range d.Questions {
		switch {
		case q.ReuseKey == "":
		case q.ReuseAs != nil:
			gives = true
		default:
			takes = true
		}
	}
	switch {
	case gives:
		return 0
	case takes:
		return 2
	}
	return 1
}
