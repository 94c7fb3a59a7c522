package bot

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/flows"
	"suivi/followup"
	"suivi/storage"
	"suivi/tgmsg"
)

// ReturneeHandler handles updates from returnees: invitations and
// onboarding before consent, then commands and check-in answers.
type ReturneeHandler struct {
	Conv *followup.Conversations
}

// Handle implements PersonHandler.
func (h *ReturneeHandler) Handle(ctx context.Context, tx *sql.Tx, upd tgbotapi.Update) (bool, error) {
	from := sentFrom(upd)
	// Lock the person: their updates are handled one after the other.
	r, err := storage.LockReturneeByTelegramID(ctx, tx, from.ID)
	if err == nil {
		return true, h.bound(ctx, tx, r, upd)
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return true, err
	}
	if m := upd.Message; m != nil && m.IsCommand() && m.Command() == "start" && m.CommandArguments() != "" {
		return true, h.redeem(ctx, tx, upd, strings.TrimSpace(m.CommandArguments()))
	}
	inv, err := storage.PendingInvitationByTelegramID(ctx, tx, from.ID)
	if err == nil {
		r, err := storage.LockReturnee(ctx, tx, *inv.ReturneeID)
		if err != nil {
			return true, err
		}
		if r.Consent == "accepted" { // consented on another account: moving here?
			return true, h.moveStep(ctx, tx, upd, r, inv)
		}
		return true, h.onboardingStep(ctx, tx, upd, inv)
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return true, err
	}
	declined, err := storage.DeclinedByTelegramID(ctx, tx, from.ID)
	if declined || err != nil {
		if upd.CallbackQuery != nil { // stop the spinner, say nothing more
			return true, enqueueEphemeral(ctx, tx, []storage.OutboxMessage{tgmsg.AnswerCallback(upd.FromChat().ID, upd.CallbackQuery.ID, "")})
		}
		return true, err
	}
	return false, nil
}

// bound handles an update from an enrolled returnee.
func (h *ReturneeHandler) bound(ctx context.Context, tx *sql.Tx, r storage.Returnee, upd tgbotapi.Update) error {
	switch {
	case upd.MyChatMember != nil:
		return h.membership(ctx, tx, r, upd.MyChatMember.NewChatMember.Status)
	case upd.EditedMessage != nil:
		return nil // an edited message never rewrites an answer
	case upd.CallbackQuery != nil:
		return h.callback(ctx, tx, r, upd.CallbackQuery)
	case upd.Message != nil:
		if r.ChatID == nil || *r.ChatID != upd.Message.Chat.ID {
			return nil
		}
		if upd.Message.IsCommand() {
			if upd.Message.Command() == "start" && upd.Message.CommandArguments() != "" {
				return h.startWithToken(ctx, tx, r, upd.Message)
			}
			return h.command(ctx, tx, r, upd.Message)
		}
		return h.message(ctx, tx, r, upd.Message)
	}
	return nil
}

// membership follows the returnee blocking and unblocking the bot: blocked
// means unreachable (the case worker is told); unblocked puts them back on
// their schedules.
func (h *ReturneeHandler) membership(ctx context.Context, tx *sql.Tx, r storage.Returnee, status string) error {
	switch {
	case status == "kicked" && (r.Status == storage.StatusActive || r.Status == storage.StatusPaused):
		return followup.MarkUnreachable(ctx, tx, r, h.Conv.Now())
	case status == "member" && r.Status == storage.StatusUnreachable:
		if err := followup.Resume(ctx, tx, storage.ReturneeID(r.ID)); err != nil {
			return err
		}
		return followup.ReachableAgain(ctx, tx, storage.ReturneeID(r.ID), h.Conv.Now())
	}
	return nil
}

// message is a text or media message outside commands: an answer to the
// open check-in or, when nothing is asked, a message for the case worker,
// relayed as a message alert (whatever the returnee's status: on hold,
// paused or stopped, they wrote to be heard).
func (h *ReturneeHandler) message(ctx context.Context, tx *sql.Tx, r storage.Returnee, m *tgbotapi.Message) error {
	conv, err := storage.ActiveConversation(ctx, tx, r.ID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && r.Status == storage.StatusStopped) {
		return h.relay(ctx, tx, r, m)
	}
	if err != nil {
		return err
	}
	return h.Conv.Step(ctx, tx, r, conv, messageInput(m), nil)
}

// relay passes a message written outside a check-in to the case worker and
// tells the returnee it will be read.
func (h *ReturneeHandler) relay(ctx context.Context, tx *sql.Tx, r storage.Returnee, m *tgbotapi.Message) error {
	in := messageInput(m)
	msg := followup.Relayed{Kind: "text", Text: in.Text}
	if in.Kind == flows.InputMedia {
		msg = followup.Relayed{Kind: in.MediaKind, Text: m.Caption, FileID: in.FileID}
	}
	if msg.Kind == "text" && strings.TrimSpace(msg.Text) == "" {
		return nil // nothing to pass on
	}
	if _, err := followup.RelayMessage(ctx, tx, r, msg, h.Conv.Now()); err != nil {
		return err
	}
	return h.say(ctx, tx, r, "message_relayed", nil)
}

// callback handles a button press: a check-in answer or a command's choice.
// Every callback query is answered.
func (h *ReturneeHandler) callback(ctx context.Context, tx *sql.Tx, r storage.Returnee, q *tgbotapi.CallbackQuery) error {
	chatID := *r.ChatID
	press := &followup.Press{QueryID: q.ID}
	if q.Message != nil {
		press.MessageID = q.Message.MessageID
	}
	cb, ok := tgmsg.Parse(q.Data)
	if ok && cb.Kind == tgmsg.KindConversation {
		conv, err := storage.ActiveConversation(ctx, tx, r.ID)
		if errors.Is(err, storage.ErrNotFound) || (err == nil && conv.ID != cb.ID) {
			return storage.EnqueueMessages(ctx, tx, tgmsg.AnswerCallback(chatID, q.ID, h.Conv.Texts.Get(r.Language, "question_closed")))
		}
		if err != nil {
			return err
		}
		return h.Conv.Step(ctx, tx, r, conv, flows.Input{Kind: flows.InputButton, Button: cb.Arg}, press)
	}
	if action, found := commandButtons[cb.Kind]; ok && found {
		return action(h, ctx, tx, r, cb.Arg, press)
	}
	h.Conv.Logger.Warn("forged or malformed callback data ignored", "returnee_id", r.ID, "bytes", len(q.Data))
	return storage.EnqueueMessages(ctx, tx, tgmsg.AnswerCallback(chatID, q.ID, ""))
}

// say queues one of the bot's texts to the returnee, with an optional keyboard.
func (h *ReturneeHandler) say(ctx context.Context, tx *sql.Tx, r storage.Returnee, key string, kb tgmsg.Keyboard, args ...any) error {
	return storage.EnqueueMessages(ctx, tx, tgmsg.Text(*r.ChatID, storage.LaneReply, h.Conv.Texts.Get(r.Language, key, args...), kb)...)
}
