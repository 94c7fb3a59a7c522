package followup

import (
	"context"
	"database/sql"
	"encoding/json"

	"suivi/flows"
	"suivi/storage"
)

// Env is what the flow engine needs to know of the world before a returnee
// is known (enrolment): the time, the default country's emergency contacts
// and the texts.
func (c *Conversations) Env() flows.Env {
	var contacts map[string]string
	if c.Contacts != nil {
		contacts = c.Contacts.For(c.Contacts.DefaultCountry())
	}
	return flows.Env{Now: c.Now(), EmergencyContacts: contacts, Texts: c.Texts, RetentionMonths: c.RetentionMonths}
}

// EnvFor is Env for one returnee: the emergency contacts of the country they
// live in (from their time zone; the engine picks their language), so the
// safety reply gives numbers that work where they are.
func (c *Conversations) EnvFor(r storage.Returnee) flows.Env {
	env := c.Env()
	if c.Contacts != nil {
		env.EmergencyContacts = c.Contacts.ForReturnee(r.Timezone)
	}
	return env
}

// recentAnswers looks up the returnee's answers that def's questions with a
// reuse key may take instead of asking again (flows.Env.Recent).
func (c *Conversations) recentAnswers(ctx context.Context, tx *sql.Tx, r storage.Returnee, def *flows.Definition) (map[string]flows.RecentAnswer, error) {
	sources, within := c.Flows.ReuseSources(def)
	if len(sources) == 0 {
		return nil, nil
	}
	keyOf := map[string]string{}
	var all []string
	for key, srcs := range sources {
		for _, s := range srcs {
			keyOf[s] = key
			all = append(all, s)
		}
	}
	rows, err := storage.RecentAnswers(ctx, tx, r.ID, all, c.Now().Add(-within))
	if err != nil {
		return nil, err
	}
	out := map[string]flows.RecentAnswer{}
	for _, row := range rows {
		var v flows.Value
		if json.Unmarshal(row.Value, &v) != nil {
			continue
		}
		v, ok := c.Flows.SharedValue(row.FlowID, row.QuestionID, v)
		if !ok {
			continue // an answer its question does not hand on (a closed project)
		}
		key := keyOf[row.FlowID+"/"+row.QuestionID]
		if prev, ok := out[key]; !ok || row.At.After(prev.At) {
			out[key] = flows.RecentAnswer{Value: v, At: row.At}
		}
	}
	return out, nil
}
