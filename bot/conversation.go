package bot

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"suivi/flows"
	"suivi/storage"
)

// Conversations runs flows for returnees: it starts them, applies each
// input with the engine and writes everything the engine decided (state,
// answers, scores, alerts, settings, messages) in the caller's transaction.
// It is also the scheduler's Opener.
type Conversations struct {
	Flows    *flows.Catalog
	Texts    *flows.Texts
	Contacts string // emergency contacts given to a returnee in danger
	Now      func() time.Time
	Logger   *slog.Logger
}

func (c *Conversations) env() flows.Env {
	contacts := map[string]string{}
	if c.Contacts != "" {
		for _, l := range []string{"fr", "ar", "en"} {
			contacts[l] = c.Contacts
		}
	}
	return flows.Env{Now: c.Now(), EmergencyContacts: contacts, Texts: c.Texts}
}

// convPrefix marks a button as belonging to one conversation, so a press on
// an old keyboard is recognised as such.
func convPrefix(id int64) string { return "c" + strconv.FormatInt(id, 10) + ":" }

// parseConvButton splits "c<id>:<payload>".
func parseConvButton(data string) (int64, string, bool) {
	rest, ok := strings.CutPrefix(data, "c")
	if !ok {
		return 0, "", false
	}
	idText, payload, ok := strings.Cut(rest, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || id <= 0 || payload == "" {
		return 0, "", false
	}
	return id, payload, true
}

// render turns engine messages into outbox rows with prefixed buttons.
func render(chatID int64, lane int, prefix string, msgs []flows.Message) []storage.OutboxMessage {
	var out []storage.OutboxMessage
	for _, m := range msgs {
		out = append(out, textMessages(chatID, lane, m.Text, keyboard(prefix, m.Buttons))...)
	}
	return out
}

func keyboard(prefix string, rows [][]flows.Button) [][]Button {
	var kb [][]Button
	for _, row := range rows {
		var r []Button
		for _, b := range row {
			r = append(r, Button{Text: b.Text, Data: prefix + b.Payload})
		}
		kb = append(kb, r)
	}
	return kb
}

// Start opens flowID for a returnee now and queues its first messages.
func (c *Conversations) Start(ctx context.Context, tx *sql.Tx, r storage.Returnee, flowID string, lane int) (int64, error) {
	if r.ChatID == nil || r.Consent != "accepted" {
		return 0, fmt.Errorf("start %s for %s: the returnee has not joined the bot yet: %w", flowID, r.Ref, storage.ErrInvalid)
	}
	def, ok := c.Flows.Latest(flowID)
	if !ok {
		return 0, fmt.Errorf("start %s: no such flow: %w", flowID, storage.ErrNotFound)
	}
	res := flows.Start(def, r.Language, c.env())
	state, err := json.Marshal(res.State)
	if err != nil {
		return 0, err
	}
	id, err := storage.CreateConversation(ctx, tx, r.ID, def.ID, def.Version, state, c.Now())
	if err != nil {
		return 0, err
	}
	return id, c.apply(ctx, tx, r, id, def, res, lane, nil)
}

// pressed is the button message a callback came from.
type pressed struct {
	queryID   string
	messageID int
}

// Step applies one input to the returnee's active conversation.
func (c *Conversations) Step(ctx context.Context, tx *sql.Tx, r storage.Returnee, conv storage.Conversation, in flows.Input, press *pressed) error {
	def, st, err := c.load(conv)
	if err != nil {
		return err
	}
	res := flows.Step(def, st, in, c.env())
	if res.Ignored {
		c.Logger.Warn("input ignored", "conversation_id", conv.ID, "reason", res.Reason)
		if press != nil {
			return storage.EnqueueMessages(ctx, tx, answerCallback(*r.ChatID, press.queryID, ""))
		}
		return nil
	}
	return c.apply(ctx, tx, r, conv.ID, def, res, storage.LaneReply, press)
}

// apply commits what the engine decided, in tx.
func (c *Conversations) apply(ctx context.Context, tx *sql.Tx, r storage.Returnee, convID int64, def *flows.Definition, res flows.Result, lane int, press *pressed) error {
	now := c.Now()
	chatID := *r.ChatID
	var msgs []storage.OutboxMessage
	if press != nil {
		msgs = append(msgs, answerCallback(chatID, press.queryID, res.CallbackText))
		switch {
		case res.PressedEdit != "":
			msgs = append(msgs, editMessage(chatID, press.messageID, res.PressedEdit))
		case res.EditButtons != nil:
			msgs = append(msgs, editKeyboard(chatID, press.messageID, keyboard(convPrefix(convID), res.EditButtons)))
		}
	}
	if res.Stale {
		return storage.EnqueueMessages(ctx, tx, msgs...)
	}
	state, err := json.Marshal(res.State)
	if err != nil {
		return err
	}
	status := storage.ConversationActive
	if res.Finished {
		status = storage.ConversationCompleted
	}
	if err := storage.SaveConversation(ctx, tx, convID, state, status, now); err != nil {
		return err
	}
	if err := storage.InsertAnswers(ctx, tx, convID, r.ID, def.ID, answerRows(res.Answers), now); err != nil {
		return err
	}
	if len(res.Computed) > 0 {
		scores := map[string]float64{}
		for _, v := range res.Computed {
			scores[v.ID] = v.Value
		}
		if err := storage.SaveScores(ctx, tx, convID, r.ID, def.ID, scores, now); err != nil {
			return err
		}
	}
	if err := c.applySettings(ctx, tx, r, res.Settings); err != nil {
		return err
	}
	for _, a := range res.Alerts {
		rid, cid := r.ID, convID
		if _, err := storage.CreateAlert(ctx, tx, storage.Alert{ReturneeID: &rid, ConversationID: &cid, RuleID: a.RuleID,
			Category: a.Category, Severity: a.Severity, Message: a.Message.In("fr"), QuestionIDs: a.QuestionIDs}); err != nil {
			return err
		}
		if a.Hold {
			if err := storage.SetSafetyHold(ctx, tx, r.ID, true); err != nil {
				return err
			}
		}
	}
	if res.Finished {
		if err := storage.CompleteCheckin(ctx, tx, convID, now); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	msgs = append(msgs, render(chatID, lane, convPrefix(convID), res.Messages)...)
	return storage.EnqueueMessages(ctx, tx, msgs...)
}

// applySettings stores what the returnee chose inside a flow.
func (c *Conversations) applySettings(ctx context.Context, tx *sql.Tx, r storage.Returnee, s map[string]string) error {
	if len(s) == 0 {
		return nil
	}
	start, end, _ := strings.Cut(s["window"], "-")
	return storage.UpdateReturneeSettings(ctx, tx, r.ID, s["language"], start, end)
}

func answerRows(answers []flows.Answer) []storage.AnswerRow {
	rows := make([]storage.AnswerRow, 0, len(answers))
	for _, a := range answers {
		v, _ := json.Marshal(a.Value)
		id := a.QuestionID
		if a.Value.Kind == flows.KindMedia && a.Value.FileID != "" {
			id += ":" + a.Value.FileID // every photo or voice note is kept, once
		}
		rows = append(rows, storage.AnswerRow{QuestionID: id, Value: v, Score: a.Score, Dimension: a.Dimension, Indicator: a.Indicator})
	}
	return rows
}

// Prompt queues the current question of a conversation again.
func (c *Conversations) Prompt(ctx context.Context, tx *sql.Tx, r storage.Returnee, conv storage.Conversation, lane int, lead string) error {
	def, st, err := c.load(conv)
	if err != nil {
		return err
	}
	st.Lang = r.Language
	var msgs []storage.OutboxMessage
	if lead != "" {
		msgs = textMessages(*r.ChatID, lane, lead, nil)
	}
	msgs = append(msgs, render(*r.ChatID, lane, convPrefix(conv.ID), flows.Prompt(def, st, c.env()))...)
	return storage.EnqueueMessages(ctx, tx, msgs...)
}

// OpenCheckin implements the scheduler's Opener: the opener goes to the
// bulk lane.
func (c *Conversations) OpenCheckin(ctx context.Context, tx *sql.Tx, ch storage.Checkin) (int64, error) {
	r, err := storage.LockReturnee(ctx, tx, ch.ReturneeID)
	if err != nil {
		return 0, err
	}
	return c.Start(ctx, tx, r, ch.FlowID, storage.LaneBulk)
}

// RemindCheckin implements the scheduler's Opener: a short reminder and the
// question waiting for an answer.
func (c *Conversations) RemindCheckin(ctx context.Context, tx *sql.Tx, ch storage.Checkin, n int) error {
	if ch.ConversationID == nil {
		return nil
	}
	r, err := storage.LockReturnee(ctx, tx, ch.ReturneeID)
	if err != nil || r.ChatID == nil {
		return err
	}
	conv, err := storage.ConversationByID(ctx, tx, *ch.ConversationID)
	if err != nil || conv.Status != storage.ConversationActive {
		return err
	}
	return c.Prompt(ctx, tx, r, conv, storage.LaneBulk, c.Texts.Get(r.Language, "reminder"))
}

// ExpireCheckin implements the scheduler's Opener: the conversation closes
// as expired with a short note.
func (c *Conversations) ExpireCheckin(ctx context.Context, tx *sql.Tx, ch storage.Checkin) error {
	if ch.ConversationID == nil {
		return nil
	}
	r, err := storage.LockReturnee(ctx, tx, ch.ReturneeID)
	if err != nil {
		return err
	}
	conv, err := storage.ConversationByID(ctx, tx, *ch.ConversationID)
	if err != nil || conv.Status != storage.ConversationActive {
		return err
	}
	if err := storage.SaveConversation(ctx, tx, conv.ID, conv.State, storage.ConversationExpired, c.Now()); err != nil {
		return err
	}
	if r.ChatID == nil {
		return nil
	}
	return storage.EnqueueMessages(ctx, tx, textMessages(*r.ChatID, storage.LaneBulk, c.Texts.Get(r.Language, "checkin_expired"), nil)...)
}

// withLanguage changes the language of a stored engine state.
func withLanguage(raw json.RawMessage, lang string) (json.RawMessage, error) {
	var st flows.State
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, err
	}
	st.Lang = lang
	return json.Marshal(st)
}

// load finds the definition version a conversation started with and its state.
func (c *Conversations) load(conv storage.Conversation) (*flows.Definition, flows.State, error) {
	var st flows.State
	def, ok := c.Flows.Get(conv.FlowID, conv.FlowVersion)
	if !ok {
		return nil, st, fmt.Errorf("conversation %d: flow %s v%d is not loaded", conv.ID, conv.FlowID, conv.FlowVersion)
	}
	if err := json.Unmarshal(conv.State, &st); err != nil {
		return nil, st, fmt.Errorf("conversation %d: state: %w", conv.ID, err)
	}
	return def, st, nil
}
