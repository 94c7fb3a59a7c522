package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"suivi/flows"
	"suivi/followup"
	"suivi/storage"
)

// seed writes the demonstration data in one transaction: staff, returnees
// with invitations for the page, and returnees with months of answered
// check-ins. It runs once per database (sandbox_state records it), so a
// second start adds nothing.
func seed(ctx context.Context, db *sql.DB, cat *flows.Catalog, inviteTTL time.Duration, now time.Time) (People, error) {
	var people People
	err := storage.InTx(ctx, db, func(tx *sql.Tx) error {
		var seeded bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sandbox_state)`).Scan(&seeded); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		if seeded {
			return nil
		}
		if err := seedStaff(ctx, tx, &people); err != nil {
			return err
		}
		ids, err := seedReturnees(ctx, tx, now)
		if err != nil {
			return err
		}
		// The page's invitations outlive a few moves of the clock.
		inviteTTL = max(inviteTTL, demoInviteTTL)
		for _, d := range demoReturnees {
			inv, err := storage.CreateInvitation(ctx, tx, storage.InvitationTarget{ReturneeID: ids[d.Key]}, inviteTTL, now)
			if err != nil {
				return fmt.Errorf("seed invitation: %w", err)
			}
			p := d.Person
			p.Token = inv.Token
			people.Returnees = append(people.Returnees, p)
		}
		rng := rand.New(rand.NewPCG(11, 2026))
		for _, h := range historyReturnees {
			if err := seedHistory(ctx, tx, cat, ids[h.Key], h, now, rng); err != nil {
				return err
			}
			people.History = append(people.History, h.Person)
		}
		raw, err := json.Marshal(people)
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sandbox_state (seeded_at, people) VALUES ($1, $2)`, now, raw); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		return nil
	})
	return people, err
}

// demoInviteTTL is the least validity of the page's invitations: a year,
// so one may move the clock months ahead before opening one.
const demoInviteTTL = 365 * 24 * time.Hour

func seedStaff(ctx context.Context, tx *sql.Tx, people *People) error {
	for _, s := range demoStaff {
		in := storage.StaffInput{Handle: s.Key, TelegramID: &s.TelegramID, Name: s.Name, Role: s.Role, Language: s.Lang}
		if s.Role == "caseworker" {
			in.SupervisorHandle = demoStaff[0].Key
		}
		if _, err := storage.UpsertStaff(ctx, tx, in); err != nil {
			return fmt.Errorf("seed staff: %w", err)
		}
		people.Staff = append(people.Staff, s)
	}
	return nil
}

// seedReturnees creates every returnee of the seed and returns their ids by
// reference.
func seedReturnees(ctx context.Context, tx *sql.Tx, now time.Time) (map[string]int64, error) {
	var rows []storage.ReturneeInput
	for i, d := range slices.Concat(demoReturnees, historyReturnees) {
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		rows = append(rows, storage.ReturneeInput{
			Ref: d.Key, Sex: d.sex, BirthDate: today.AddDate(-24-i*3, -i, 0), ReturnDate: today.AddDate(0, 0, -d.daysAgo),
			HostCountry: d.host, Region: d.region, Programme: "AVRR Maroc", Assistance: []string{"microproject"},
			Sector: d.sector, CaseworkerHandle: demoStaff[1].Key,
		})
	}
	if _, _, err := storage.UpsertReturnees(ctx, tx, rows); err != nil {
		return nil, fmt.Errorf("seed returnees: %w", err)
	}
	ids := map[string]int64{}
	rs, err := tx.QueryContext(ctx, `SELECT id, ref FROM returnees`)
	if err != nil {
		return nil, fmt.Errorf("seed returnees: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var id int64
		var ref string
		if err := rs.Scan(&id, &ref); err != nil {
			return nil, fmt.Errorf("seed returnees: %w", err)
		}
		ids[ref] = id
	}
	return ids, rs.Err()
}

// seedHistory enrols a returnee shortly after their return and answers
// every check-in already due (one project check-in missed when h.missed
// says so); the latest wellbeing screening of a struggling returnee raises
// the flow's alerts, which the case worker gets at start.
func seedHistory(ctx context.Context, tx *sql.Tx, cat *flows.Catalog, id int64, h demoReturnee, now time.Time, rng *rand.Rand) error {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	returned := today.AddDate(0, 0, -h.daysAgo)
	if err := storage.BindReturnee(ctx, tx, id, h.TelegramID, h.TelegramID, h.Lang, returned.AddDate(0, 0, 3).Add(11*time.Hour)); err != nil {
		return fmt.Errorf("seed history: %w", err)
	}
	type due struct {
		def   *flows.Definition
		occ   int
		month int
		at    time.Time
	}
	var dues []due
	for _, d := range cat.List() {
		latest, _ := cat.Latest(d.ID)
		if d != latest || d.Schedule.Trigger != "return" {
			continue
		}
		for occ, m := range d.Schedule.Months {
			at := returned.AddDate(0, m, 0).Add(11*time.Hour + time.Duration(occ%3)*time.Hour)
			if at.Before(now.Add(-24 * time.Hour)) {
				dues = append(dues, due{d, occ, m, at})
			}
		}
	}
	lastWellbeing := -1
	for i, d := range dues {
		if d.def.ID == "wellbeing" {
			lastWellbeing = i
		}
	}
	for i, d := range dues {
		if d.def.ID == "project_checkin" && d.month == h.missed {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO checkins (returnee_id, flow_id, occurrence, month, due_date, due_at, open_at, status,
				                      opened_at, expires_at, closed_at, missed_streak, created_at, updated_at)
				VALUES ($1, $2, $3, $4, ($5::timestamptz AT TIME ZONE 'UTC')::date, $5, $5, 'missed', $5, $6, $6, 1, $5, $6)`,
				id, d.def.ID, d.occ, d.month, d.at, d.at.Add(72*time.Hour)); err != nil {
				return fmt.Errorf("seed missed checkin: %w", err)
			}
			continue
		}
		p := h.profile
		if p == profileStruggling && i != lastWellbeing {
			p = profileMixed
		}
		if err := seedConversation(ctx, tx, cat, id, h.Lang, d.def, d.occ, d.month, d.at, p, i == lastWellbeing, rng); err != nil {
			return err
		}
	}
	return nil
}

// seedConversation stores one completed check-in as the bot would have.
func seedConversation(ctx context.Context, tx *sql.Tx, cat *flows.Catalog, rid int64, lang string, def *flows.Definition,
	occ, month int, at time.Time, p profile, raise bool, rng *rand.Rand) error {
	res, err := simulate(def, lang, at, cat.Texts, p, rng)
	if err != nil {
		return fmt.Errorf("seed history: %w", err)
	}
	state, err := json.Marshal(res.State)
	if err != nil {
		return fmt.Errorf("seed history: %w", err)
	}
	done := at.Add(7 * time.Minute)
	convID, err := storage.CreateConversation(ctx, tx, rid, def.ID, def.Version, state, at)
	if err != nil {
		return fmt.Errorf("seed history: %w", err)
	}
	if err := storage.SaveConversation(ctx, tx, convID, state, storage.ConversationCompleted, done); err != nil {
		return err
	}
	rows := make([]storage.AnswerRow, 0, len(res.Answers))
	for _, a := range res.Answers {
		v, _ := json.Marshal(a.Value)
		rows = append(rows, storage.AnswerRow{QuestionID: a.QuestionID, Value: v, Score: a.Score, Dimension: a.Dimension, Indicator: a.Indicator})
	}
	if err := storage.InsertAnswers(ctx, tx, convID, rid, def.ID, rows, done); err != nil {
		return err
	}
	if len(res.Computed) > 0 {
		if err := storage.SaveScores(ctx, tx, convID, rid, def.ID, res.Computed, done); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO checkins (returnee_id, flow_id, occurrence, month, due_date, due_at, open_at, status, conversation_id,
		                      opened_at, expires_at, closed_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, ($5::timestamptz AT TIME ZONE 'UTC')::date, $5, $5, 'completed', $6, $5, $7, $8, $5, $8)`,
		rid, def.ID, occ, month, at, convID, at.Add(72*time.Hour), done); err != nil {
		return fmt.Errorf("seed checkin: %w", err)
	}
	if !raise {
		return nil
	}
	for _, a := range res.Alerts {
		if a.Hold {
			continue
		}
		alert := followup.Alert{Returnee: storage.ReturneeID(rid), Conversation: storage.ConversationID(convID), Rule: a.RuleID,
			Category: followup.Category(a.Category), Severity: followup.Severity(a.Severity), TextKey: followup.TextFlowRule,
			QuestionIDs: a.QuestionIDs, Params: map[string]any{"flow": def.ID, "version": def.Version, "rule": a.RuleID}}
		if _, _, err := followup.RaiseAlert(ctx, tx, alert, done); err != nil {
			return fmt.Errorf("seed alert: %w", err)
		}
	}
	return nil
}
