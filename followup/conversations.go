package followup

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"suivi/contacts"
	"suivi/flows"
	"suivi/storage"
	"suivi/tgmsg"
)

// Conversations runs flows for returnees: it starts them, applies each
// input with the engine and writes everything the engine decided (state,
// answers, scores, alerts, settings, messages) in the caller's transaction.
// It is also the scheduler's Opener.
type Conversations struct {
	Flows    *flows.Catalog
	Texts    *flows.Texts
	Contacts *contacts.Book // emergency contacts given to a returnee in danger
	Now      func() time.Time
	Logger   *slog.Logger
	// RetentionMonths is the retention the consent text states
	// (SUIVI_RETENTION); 0 states flows.DefaultRetentionMonths.
	RetentionMonths int
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
	env := c.EnvFor(r)
	recent, err := c.recentAnswers(ctx, tx, r, def)
	if err != nil {
		return 0, fmt.Errorf("start %s: %w", flowID, err)
	}
	env.Recent = recent
	res := flows.Start(def, r.Language, env)
	state, err := jsonState(res.State)
	if err != nil {
		return 0, err
	}
	id, err := storage.CreateConversation(ctx, tx, r.ID, def.ID, def.Version, state, c.Now())
	if err != nil {
		return 0, err
	}
	return id, c.Apply(ctx, tx, r, id, def, res, lane, nil)
}

// Press is the button message a callback came from: its query is answered
// and the message edited once the press is taken.
type Press struct {
	QueryID   string
	MessageID int
}

// Step applies one input to the returnee's active conversation.
func (c *Conversations) Step(ctx context.Context, tx *sql.Tx, r storage.Returnee, conv storage.Conversation, in flows.Input, press *Press) error {
	def, st, err := c.load(conv)
	if err != nil {
		return err
	}
	res := flows.Step(def, st, in, c.EnvFor(r))
	if res.Ignored {
		c.Logger.Warn("input ignored", "conversation_id", conv.ID, "reason", res.Reason)
		if press != nil {
			return storage.EnqueueMessages(ctx, tx, tgmsg.AnswerCallback(*r.ChatID, press.QueryID, ""))
		}
		return nil
	}
	return c.Apply(ctx, tx, r, conv.ID, def, res, storage.LaneReply, press)
}

// Apply commits what the engine decided for conversation convID, in tx: the
// press answered, state, answers, scores, settings, alerts and messages.
func (c *Conversations) Apply(ctx context.Context, tx *sql.Tx, r storage.Returnee, convID int64, def *flows.Definition, res flows.Result, lane int, press *Press) error {
	now := c.Now()
	chatID := *r.ChatID
	prefix := tgmsg.Prefix(tgmsg.KindConversation, convID)
	// The press is answered first (it stops the client's spinner and is not
	// a send). The edit that shows the chosen answer goes after the next
	// question: Telegram allows one send a second in a chat, and the next
	// question is what the person waits for.
	var msgs, edits []storage.OutboxMessage
	if press != nil {
		msgs = append(msgs, tgmsg.AnswerCallback(chatID, press.QueryID, res.CallbackText))
		switch {
		case res.PressedEdit != "":
			edits = append(edits, tgmsg.EditText(chatID, press.MessageID, res.PressedEdit))
		case res.EditButtons != nil:
			edits = append(edits, tgmsg.EditKeyboard(chatID, press.MessageID, tgmsg.FlowKeyboard(prefix, res.EditButtons)))
		}
	}
	if res.Stale {
		return storage.EnqueueMessages(ctx, tx, append(msgs, edits...)...)
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
	if err := raiseFlowAlerts(ctx, tx, storage.ReturneeID(r.ID), storage.ConversationID(convID), def, res, now); err != nil {
		return err
	}
	if res.Finished {
		if err := storage.CompleteCheckin(ctx, tx, convID, now); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	msgs = append(msgs, tgmsg.FlowMessages(chatID, lane, prefix, res.Messages)...)
	return storage.EnqueueMessages(ctx, tx, append(msgs, edits...)...)
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
		msgs = tgmsg.Text(*r.ChatID, lane, lead, nil)
	}
	prefix := tgmsg.Prefix(tgmsg.KindConversation, conv.ID)
	msgs = append(msgs, tgmsg.FlowMessages(*r.ChatID, lane, prefix, flows.Prompt(def, st, c.EnvFor(r)))...)
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
	def, st, err := c.load(conv)
	if err != nil {
		return err
	}
	// The reminder says how long what is left takes, from the flow itself.
	left := c.Texts.Duration(r.Language, flows.Minutes(def.Remaining(st)))
	return c.Prompt(ctx, tx, r, conv, storage.LaneBulk, c.Texts.Get(r.Language, "reminder", left))
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
	return storage.EnqueueMessages(ctx, tx, tgmsg.Text(*r.ChatID, storage.LaneBulk, c.Texts.Get(r.Language, "checkin_expired"), nil)...)
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

// raiseFlowAlerts raises the alerts of a flow's rules that now hold, with
// the answers they looked at, and puts the returnee on hold when a rule says
// so. Their text points to the rule, so each reader gets the rule's message
// in their language.
func raiseFlowAlerts(ctx context.Context, tx *sql.Tx, rid storage.ReturneeID, cid storage.ConversationID, def *flows.Definition, res flows.Result, now time.Time) error {
	for _, a := range res.Alerts {
		answers := map[string]any{}
		for _, q := range a.QuestionIDs {
			if v, ok := res.State.Answers[q]; ok {
				answers[q] = v
			}
		}
		alert := Alert{Returnee: rid, Conversation: cid, Rule: a.RuleID, Category: Category(a.Category),
			Severity: Severity(a.Severity), TextKey: TextFlowRule, QuestionIDs: a.QuestionIDs, Answers: answers,
			Params: map[string]any{"flow": def.ID, "version": def.Version, "rule": a.RuleID}}
		if _, _, err := RaiseAlert(ctx, tx, alert, now); err != nil {
			return err
		}
		if a.Hold {
			if err := storage.SetSafetyHold(ctx, tx, int64(rid), true); err != nil {
				return err
			}
		}
	}
	return nil
}

func jsonState(st flows.State) (json.RawMessage, error) {
	b, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("encode conversation state: %w", err)
	}
	return b, nil
}
