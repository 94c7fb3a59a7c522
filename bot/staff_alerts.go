package bot

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/followup"
	"suivi/storage"
	"suivi/tgmsg"
)

// alertButton handles a press on an alert's button (Acknowledge, Add note,
// Resolve, Reassign), checked against the alert and the presser's rights: a
// press on a resolved or foreign alert changes nothing and is answered with
// the reason. After an action the alert's message shows its new state.
func (h *StaffHandler) alertButton(ctx context.Context, tx *sql.Tx, s storage.Staff, q *tgbotapi.CallbackQuery, cb tgmsg.Callback) error {
	chat := *s.TelegramID
	d := followup.DeliveryFrom(ctx)
	if d == nil {
		return storage.EnqueueMessages(ctx, tx, tgmsg.AnswerCallback(chat, q.ID, ""))
	}
	id := storage.AlertID(cb.ID)
	msgID := 0
	if q.Message != nil {
		msgID = q.Message.MessageID
	}
	now := h.now()
	action, arg, _ := strings.Cut(cb.Arg, ":")
	var a storage.Alert
	var err error
	notice := h.Texts.Get(s.Language, "alert_cb_done")
	switch action {
	case followup.ActionAck:
		a, err = followup.Acknowledge(ctx, tx, s, id, now)
	case followup.ActionNote:
		if err = followup.AskNote(ctx, tx, s, id, false, msgID, now); err == nil {
			return h.ask(ctx, tx, s, q.ID, "alert_ask_note", id)
		}
	case followup.ActionResolve:
		a, err = followup.Resolve(ctx, tx, s, id, "", now)
		if errors.Is(err, followup.ErrNoteRequired) {
			if err = followup.AskNote(ctx, tx, s, id, true, msgID, now); err == nil {
				return h.ask(ctx, tx, s, q.ID, "alert_ask_resolve_note", id)
			}
		}
	case followup.ActionReassign:
		if arg == "" {
			return h.reassignMenu(ctx, tx, s, q.ID, id)
		}
		to, perr := strconv.ParseInt(arg, 10, 64)
		if perr != nil {
			err = followup.ErrAlertForbidden
			break
		}
		a, err = d.Reassign(ctx, tx, s, id, storage.StaffID(to), now)
	default:
		err = followup.ErrAlertForbidden
	}
	if reason, refused := refusal(err); refused {
		h.Logger.Warn("alert button refused", "staff_id", s.ID, "alert_id", cb.ID, "err", err)
		return storage.EnqueueMessages(ctx, tx, tgmsg.AnswerCallback(chat, q.ID, h.Texts.Get(s.Language, reason)))
	}
	if err != nil {
		return err
	}
	msgs := []storage.OutboxMessage{tgmsg.AnswerCallback(chat, q.ID, notice)}
	if msgID != 0 {
		edit, err := h.editCard(ctx, tx, d, s, a, msgID)
		if err != nil {
			return err
		}
		msgs = append(msgs, edit)
	}
	return storage.EnqueueMessages(ctx, tx, msgs...)
}

// refusal maps an action's refusal to the short reason the presser reads.
func refusal(err error) (string, bool) {
	switch {
	case errors.Is(err, followup.ErrAlertClosed):
		return "alert_cb_stale", true
	case errors.Is(err, followup.ErrAlertForbidden), errors.Is(err, storage.ErrNotFound):
		return "alert_cb_forbidden", true
	}
	return "", false
}

// ask answers the press and asks for the note in the chat.
func (h *StaffHandler) ask(ctx context.Context, tx *sql.Tx, s storage.Staff, queryID, key string, id storage.AlertID) error {
	chat := *s.TelegramID
	msgs := []storage.OutboxMessage{tgmsg.AnswerCallback(chat, queryID, "")}
	msgs = append(msgs, tgmsg.Text(chat, storage.LaneReply, h.Texts.Get(s.Language, key, strconv.FormatInt(int64(id), 10)), nil)...)
	return storage.EnqueueMessages(ctx, tx, msgs...)
}

// reassignMenu offers the case workers the alert can be handed to.
func (h *StaffHandler) reassignMenu(ctx context.Context, tx *sql.Tx, s storage.Staff, queryID string, id storage.AlertID) error {
	chat := *s.TelegramID
	ok, err := followup.CanActOnAlert(ctx, tx, storage.StaffID(s.ID), id)
	if err != nil {
		return err
	}
	a, err := storage.AlertByID(ctx, tx, id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !ok) {
		return storage.EnqueueMessages(ctx, tx, tgmsg.AnswerCallback(chat, queryID, h.Texts.Get(s.Language, "alert_cb_forbidden")))
	}
	if err != nil {
		return err
	}
	if a.Status == "resolved" {
		return storage.EnqueueMessages(ctx, tx, tgmsg.AnswerCallback(chat, queryID, h.Texts.Get(s.Language, "alert_cb_stale")))
	}
	choices, err := followup.ReassignChoices(ctx, tx, s, a)
	if err != nil {
		return err
	}
	if len(choices) == 0 {
		return storage.EnqueueMessages(ctx, tx, tgmsg.AnswerCallback(chat, queryID, h.Texts.Get(s.Language, "alert_no_caseworkers")))
	}
	var kb tgmsg.Keyboard
	for _, c := range choices {
		name := c.Name
		if name == "" {
			name = c.Handle
		}
		kb = append(kb, []tgmsg.Button{{Text: name, Data: tgmsg.Callback{Kind: tgmsg.KindAlert, ID: int64(id),
			Arg: followup.ActionReassign + ":" + strconv.FormatInt(c.ID, 10)}.Data()}})
	}
	msgs := []storage.OutboxMessage{tgmsg.AnswerCallback(chat, queryID, "")}
	msgs = append(msgs, tgmsg.Text(chat, storage.LaneReply, h.Texts.Get(s.Language, "alert_pick_caseworker", strconv.FormatInt(int64(id), 10)), kb)...)
	return storage.EnqueueMessages(ctx, tx, msgs...)
}

// editCard rewrites an alert's message with its state and the buttons left.
func (h *StaffHandler) editCard(ctx context.Context, tx *sql.Tx, d *followup.Delivery, s storage.Staff, a storage.Alert, msgID int) (storage.OutboxMessage, error) {
	full, err := followup.Full(ctx, tx, a, s)
	if err != nil {
		return storage.OutboxMessage{}, err
	}
	text, kb, err := d.Card(ctx, tx, a, s, full, h.now())
	if err != nil {
		return storage.OutboxMessage{}, err
	}
	m := tgmsg.EditText(*s.TelegramID, msgID, text)
	m.Params["reply_markup"] = kb.JSON()
	return m, nil
}

// pendingInput takes a staff member's text when a button asked for it (the
// note after "Add note", or the note that resolves a safety alert); it
// reports false when nothing was asked or the question expired.
func (h *StaffHandler) pendingInput(ctx context.Context, tx *sql.Tx, s storage.Staff, m *tgbotapi.Message) (bool, error) {
	d := followup.DeliveryFrom(ctx)
	if d == nil {
		return false, nil
	}
	now := h.now()
	p, err := storage.TakeStaffPending(ctx, tx, storage.StaffID(s.ID), now)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	note := strings.TrimSpace(m.Text)
	if note == "" { // a photo or a sticker: ask again
		return true, storage.SetStaffPending(ctx, tx, p)
	}
	var a storage.Alert
	key := "alert_note_saved"
	if p.Action == storage.PendingResolve {
		a, err = followup.Resolve(ctx, tx, s, p.AlertID, note, now)
		key = "alert_resolved"
	} else {
		a, err = followup.AddNote(ctx, tx, s, p.AlertID, note, now)
	}
	if reason, refused := refusal(err); refused {
		return true, h.say(ctx, tx, s, reason)
	}
	if err != nil {
		return true, err
	}
	msgs := tgmsg.Text(*s.TelegramID, storage.LaneReply, h.Texts.Get(s.Language, key, strconv.FormatInt(int64(p.AlertID), 10)), nil)
	if p.MessageID != 0 {
		a, err = storage.AlertByID(ctx, tx, p.AlertID)
		if err != nil {
			return true, err
		}
		edit, err := h.editCard(ctx, tx, d, s, a, p.MessageID)
		if err != nil {
			return true, err
		}
		msgs = append(msgs, edit)
	}
	return true, storage.EnqueueMessages(ctx, tx, msgs...)
}
