package bot

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/followup"
	"suivi/storage"
	"suivi/tgmsg"
)

// A returnee who consented on one Telegram account and is invited again (a
// new phone) opens the new link on another account. Before anything moves
// they are asked, in their language, to confirm; the buttons carry the
// invitation (tgmsg.MoveYes and tgmsg.MoveNo under KindInvitation). Until they answer, the
// invitation is pending (storage.PendingInvitationByTelegramID) and the old
// account goes on as before.

// askMove asks whether to move the follow-up to this account. The question
// is ephemeral: before the move nothing of this chat is kept.
func (h *ReturneeHandler) askMove(ctx context.Context, tx *sql.Tx, chatID int64, r storage.Returnee, inv storage.Invitation) error {
	kb := tgmsg.Keyboard{{
		{Text: h.Conv.Texts.Get(r.Language, "move_button_yes"), Data: tgmsg.Callback{Kind: tgmsg.KindInvitation, ID: inv.ID, Arg: tgmsg.MoveYes}.Data()},
		{Text: h.Conv.Texts.Get(r.Language, "move_button_no"), Data: tgmsg.Callback{Kind: tgmsg.KindInvitation, ID: inv.ID, Arg: tgmsg.MoveNo}.Data()},
	}}
	return enqueueEphemeral(ctx, tx, tgmsg.Text(chatID, storage.LaneReply, h.Conv.Texts.Get(r.Language, "move_confirm"), kb))
}

// moveStep handles an update from the account a re-invited returnee opened
// their new link on: yes moves the follow-up here in this transaction (and
// an open check-in goes on here), no leaves everything as it was and closes
// the invitation; anything else asks again.
func (h *ReturneeHandler) moveStep(ctx context.Context, tx *sql.Tx, upd tgbotapi.Update, r storage.Returnee, inv storage.Invitation) error {
	chat := upd.FromChat()
	q := upd.CallbackQuery
	if q == nil {
		if upd.Message == nil {
			return nil // edits and membership changes change nothing
		}
		return h.askMove(ctx, tx, chat.ID, r, inv)
	}
	press := &followup.Press{QueryID: q.ID}
	if q.Message != nil {
		press.MessageID = q.Message.MessageID
	}
	answer := func(key string) []storage.OutboxMessage {
		msgs := []storage.OutboxMessage{tgmsg.AnswerCallback(chat.ID, press.QueryID, "")}
		if press.MessageID > 0 {
			msgs = append(msgs, tgmsg.EditText(chat.ID, press.MessageID, h.Conv.Texts.Get(r.Language, key)))
		}
		return msgs
	}
	now := h.Conv.Now()
	cb, ok := tgmsg.Parse(q.Data)
	if !ok || cb.Kind != tgmsg.KindInvitation || cb.ID != inv.ID {
		cb.Arg = ""
	}
	switch cb.Arg {
	case tgmsg.MoveNo:
		if err := storage.CompleteInvitation(ctx, tx, inv.ID, now); err != nil {
			return err
		}
		return enqueueEphemeral(ctx, tx, answer("move_cancelled"))
	case tgmsg.MoveYes:
	default:
		return enqueueEphemeral(ctx, tx, []storage.OutboxMessage{tgmsg.AnswerCallback(chat.ID, press.QueryID, h.Conv.Texts.Get(r.Language, "question_closed"))})
	}
	if err := followup.Move(ctx, tx, storage.ReturneeID(r.ID), r.Ref, upd.SentFrom().ID, chat.ID, now); err != nil {
		return err
	}
	r, err := storage.LockReturnee(ctx, tx, r.ID)
	if err != nil {
		return err
	}
	if err := storage.EnqueueMessages(ctx, tx, answer("move_done")...); err != nil {
		return err
	}
	conv, err := storage.ActiveConversation(ctx, tx, r.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return h.Conv.Prompt(ctx, tx, r, conv, storage.LaneReply, "") // the check-in goes on here
}

// startWithToken handles "/start TOKEN" from a bound returnee. Their own
// link (an old one, or a new one opened on the account already bound) is
// harmless and greets them as /start does; a link for someone else cannot
// bind this account, and they are told so.
func (h *ReturneeHandler) startWithToken(ctx context.Context, tx *sql.Tx, r storage.Returnee, m *tgbotapi.Message) error {
	inv, err := storage.InvitationByToken(ctx, tx, strings.TrimSpace(m.CommandArguments()))
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if err == nil && (inv.ReturneeID == nil || *inv.ReturneeID != r.ID) {
		return h.say(ctx, tx, r, "account_already_linked", nil)
	}
	return h.start(ctx, tx, r)
}
