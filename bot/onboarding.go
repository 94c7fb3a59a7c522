package bot

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/flows"
	"suivi/followup"
	"suivi/storage"
	"suivi/tgmsg"
)

// onboardingFlow is the flow a returnee goes through when they open their
// invitation: language, consent, preferred time of day.
const onboardingFlow = "onboarding"

// redeem handles "/start TOKEN" from someone not bound to a returnee. An
// unknown, used or expired token gets a polite answer and nothing is stored;
// so does a link that would bind an account already linked to someone else
// (a staff member's account opening another staff invitation or a returnee
// invitation): such a link is left unused. A returnee who consented earlier
// on another account is asked whether to move their follow-up here.
func (h *ReturneeHandler) redeem(ctx context.Context, tx *sql.Tx, upd tgbotapi.Update, token string) error {
	from, chat := upd.SentFrom(), upd.FromChat()
	lang := languageOf(from)
	peek, err := storage.InvitationByToken(ctx, tx, token)
	if errors.Is(err, storage.ErrNotFound) {
		return h.sayTo(ctx, tx, chat.ID, lang, "invitation_invalid")
	}
	if err != nil {
		return err
	}
	staff, err := storage.StaffByTelegramID(ctx, tx, from.ID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return err
	case peek.StaffID == nil || *peek.StaffID != staff.ID:
		return h.sayTo(ctx, tx, chat.ID, staff.Language, "account_already_linked")
	}
	inv, err := storage.RedeemInvitation(ctx, tx, token, from.ID, h.Conv.Now())
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrConflict) || errors.Is(err, storage.ErrInvalid) {
		if staff.ID != 0 { // their own link again, once they are linked: harmless
			return h.sayTo(ctx, tx, chat.ID, staff.Language, "staff_welcome", staff.Handle)
		}
		return h.sayTo(ctx, tx, chat.ID, lang, "invitation_invalid")
	}
	if err != nil {
		return err
	}
	if inv.StaffID != nil {
		return h.bindStaff(ctx, tx, upd, inv)
	}
	r, err := storage.LockReturnee(ctx, tx, *inv.ReturneeID)
	if err != nil {
		return err
	}
	if r.Consent == "accepted" && r.TelegramID != nil && *r.TelegramID != from.ID {
		return h.askMove(ctx, tx, chat.ID, r, inv)
	}
	def, ok := h.Conv.Flows.Latest(onboardingFlow)
	if !ok {
		return errors.New("the onboarding flow is not loaded")
	}
	res := flows.Start(def, lang, h.Conv.Env())
	return h.applyOnboarding(ctx, tx, upd, inv, def, res, nil)
}

// sayTo queues one of the bot's texts, ephemeral, to someone not (or not
// yet) bound: nothing of the exchange is kept once sent.
func (h *ReturneeHandler) sayTo(ctx context.Context, tx *sql.Tx, chatID int64, lang, key string, args ...any) error {
	return enqueueEphemeral(ctx, tx, tgmsg.Text(chatID, storage.LaneReply, h.Conv.Texts.Get(lang, key, args...), nil))
}

// bindStaff links a staff member's Telegram account from a staff invitation;
// the invitation is then complete. An account linked to another staff
// member was turned away before the invitation was used.
func (h *ReturneeHandler) bindStaff(ctx context.Context, tx *sql.Tx, upd tgbotapi.Update, inv storage.Invitation) error {
	s, err := storage.BindStaffTelegramID(ctx, tx, *inv.StaffID, upd.SentFrom().ID)
	if err != nil {
		return err
	}
	if err := storage.CompleteInvitation(ctx, tx, inv.ID, h.Conv.Now()); err != nil {
		return err
	}
	text := h.Conv.Texts.Get(s.Language, "staff_welcome", s.Handle)
	msgs := append(tgmsg.Text(upd.FromChat().ID, storage.LaneReply, text, nil), StaffCommands(upd.FromChat().ID, s.Language, h.Conv.Texts))
	return storage.EnqueueMessages(ctx, tx, msgs...)
}

// onboardingStep continues the onboarding of someone who opened an
// invitation and has not answered the consent question yet.
func (h *ReturneeHandler) onboardingStep(ctx context.Context, tx *sql.Tx, upd tgbotapi.Update, inv storage.Invitation) error {
	chat := upd.FromChat()
	def, ok := h.Conv.Flows.Latest(onboardingFlow)
	if !ok {
		return errors.New("the onboarding flow is not loaded")
	}
	raw, err := storage.OnboardingState(ctx, tx, inv.ID)
	if err != nil {
		return err
	}
	var press *followup.Press
	var in flows.Input
	switch {
	case upd.CallbackQuery != nil:
		press = &followup.Press{QueryID: upd.CallbackQuery.ID}
		if upd.CallbackQuery.Message != nil {
			press.MessageID = upd.CallbackQuery.Message.MessageID
		}
		cb, ok := tgmsg.Parse(upd.CallbackQuery.Data)
		if !ok || cb.Kind != tgmsg.KindInvitation || cb.ID != inv.ID {
			return enqueueEphemeral(ctx, tx, []storage.OutboxMessage{tgmsg.AnswerCallback(chat.ID, press.QueryID, h.Conv.Texts.Get(languageOf(upd.SentFrom()), "question_closed"))})
		}
		in = flows.Input{Kind: flows.InputButton, Button: cb.Arg}
	case upd.Message != nil:
		in = messageInput(upd.Message)
	default:
		return nil // edits and membership changes change nothing
	}
	if raw == nil { // redeemed but never started (an older process): start now
		return h.applyOnboarding(ctx, tx, upd, inv, def, flows.Start(def, languageOf(upd.SentFrom()), h.Conv.Env()), press)
	}
	var st flows.State
	if err := json.Unmarshal(raw, &st); err != nil {
		return err
	}
	odef, ok := h.Conv.Flows.Get(st.FlowID, st.Version)
	if !ok {
		odef = def
	}
	res := flows.Step(odef, st, in, h.Conv.Env())
	if res.Ignored {
		if press != nil {
			return enqueueEphemeral(ctx, tx, []storage.OutboxMessage{tgmsg.AnswerCallback(chat.ID, press.QueryID, "")})
		}
		return nil
	}
	return h.applyOnboarding(ctx, tx, upd, inv, odef, res, press)
}

// applyOnboarding commits an onboarding step. Before consent only the
// invitation holds the state; on consent the returnee is bound to the chat
// and the conversation moves to its own row; on refusal the decline is
// recorded for the case worker and nothing else is kept.
func (h *ReturneeHandler) applyOnboarding(ctx context.Context, tx *sql.Tx, upd tgbotapi.Update, inv storage.Invitation, def *flows.Definition, res flows.Result, press *followup.Press) error {
	chat := upd.FromChat()
	now := h.Conv.Now()
	returneeID := *inv.ReturneeID
	var msgs []storage.OutboxMessage
	if press != nil {
		msgs = append(msgs, tgmsg.AnswerCallback(chat.ID, press.QueryID, res.CallbackText))
		if res.PressedEdit != "" && press.MessageID > 0 {
			msgs = append(msgs, tgmsg.EditText(chat.ID, press.MessageID, res.PressedEdit))
		}
	}
	if res.Stale {
		return enqueueEphemeral(ctx, tx, msgs)
	}
	switch res.Settings["consent"] {
	case "declined":
		if err := followup.DeclineConsent(ctx, tx, storage.ReturneeID(returneeID), def, res, now); err != nil {
			return err
		}
		if err := storage.SaveOnboardingState(ctx, tx, inv.ID, nil); err != nil {
			return err
		}
		msgs = append(msgs, tgmsg.FlowMessages(chat.ID, storage.LaneReply, "", res.Messages)...)
		return enqueueEphemeral(ctx, tx, msgs) // no trace of the conversation is kept
	case "accepted":
		if err := storage.EnqueueMessages(ctx, tx, msgs...); err != nil {
			return err
		}
		return h.Conv.Consent(ctx, tx, storage.ReturneeID(returneeID), inv.ID, upd.SentFrom().ID, chat.ID, def, res)
	}
	state, err := json.Marshal(res.State)
	if err != nil {
		return err
	}
	if err := storage.SaveOnboardingState(ctx, tx, inv.ID, state); err != nil {
		return err
	}
	msgs = append(msgs, tgmsg.FlowMessages(chat.ID, storage.LaneReply, tgmsg.Prefix(tgmsg.KindInvitation, inv.ID), res.Messages)...)
	return enqueueEphemeral(ctx, tx, msgs) // before consent no message is kept once sent
}

func enqueueEphemeral(ctx context.Context, tx *sql.Tx, msgs []storage.OutboxMessage) error {
	return storage.EnqueueMessages(ctx, tx, tgmsg.Ephemeral(msgs)...)
}
