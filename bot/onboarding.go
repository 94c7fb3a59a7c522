package bot

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/flows"
	"suivi/storage"
)

// onboardingFlow is the flow a returnee goes through when they open their
// invitation: language, consent, preferred time of day.
const onboardingFlow = "onboarding"

func invPrefix(id int64) string { return "i" + strconv.FormatInt(id, 10) + ":" }

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
	res := flows.Start(def, lang, h.Conv.env())
	return h.applyOnboarding(ctx, tx, upd, inv, def, res, nil)
}

// sayTo queues one of the bot's texts, ephemeral, to someone not (or not
// yet) bound: nothing of the exchange is kept once sent.
func (h *ReturneeHandler) sayTo(ctx context.Context, tx *sql.Tx, chatID int64, lang, key string, args ...any) error {
	return enqueueEphemeral(ctx, tx, textMessages(chatID, storage.LaneReply, h.Conv.Texts.Get(lang, key, args...), nil))
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
	return storage.EnqueueMessages(ctx, tx, textMessages(upd.FromChat().ID, storage.LaneReply, text, nil)...)
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
	var press *pressed
	var in flows.Input
	switch {
	case upd.CallbackQuery != nil:
		press = &pressed{queryID: upd.CallbackQuery.ID}
		if upd.CallbackQuery.Message != nil {
			press.messageID = upd.CallbackQuery.Message.MessageID
		}
		payload, ok := strings.CutPrefix(upd.CallbackQuery.Data, invPrefix(inv.ID))
		if !ok {
			return enqueueEphemeral(ctx, tx, []storage.OutboxMessage{answerCallback(chat.ID, press.queryID, h.Conv.Texts.Get(languageOf(upd.SentFrom()), "question_closed"))})
		}
		in = flows.Input{Kind: flows.InputButton, Button: payload}
	case upd.Message != nil:
		in = messageInput(upd.Message)
	default:
		return nil // edits and membership changes change nothing
	}
	if raw == nil { // redeemed but never started (an older process): start now
		return h.applyOnboarding(ctx, tx, upd, inv, def, flows.Start(def, languageOf(upd.SentFrom()), h.Conv.env()), press)
	}
	var st flows.State
	if err := json.Unmarshal(raw, &st); err != nil {
		return err
	}
	odef, ok := h.Conv.Flows.Get(st.FlowID, st.Version)
	if !ok {
		odef = def
	}
	res := flows.Step(odef, st, in, h.Conv.env())
	if res.Ignored {
		if press != nil {
			return enqueueEphemeral(ctx, tx, []storage.OutboxMessage{answerCallback(chat.ID, press.queryID, "")})
		}
		return nil
	}
	return h.applyOnboarding(ctx, tx, upd, inv, odef, res, press)
}

// applyOnboarding commits an onboarding step. Before consent only the
// invitation holds the state; on consent the returnee is bound to the chat
// and the conversation moves to its own row; on refusal the decline is
// recorded for the case worker and nothing else is kept.
func (h *ReturneeHandler) applyOnboarding(ctx context.Context, tx *sql.Tx, upd tgbotapi.Update, inv storage.Invitation, def *flows.Definition, res flows.Result, press *pressed) error {
	chat := upd.FromChat()
	now := h.Conv.Now()
	returneeID := *inv.ReturneeID
	var msgs []storage.OutboxMessage
	if press != nil {
		msgs = append(msgs, answerCallback(chat.ID, press.queryID, res.CallbackText))
		if res.PressedEdit != "" && press.messageID > 0 {
			msgs = append(msgs, editMessage(chat.ID, press.messageID, res.PressedEdit))
		}
	}
	if res.Stale {
		return enqueueEphemeral(ctx, tx, msgs)
	}
	state, err := json.Marshal(res.State)
	if err != nil {
		return err
	}
	switch res.Settings["consent"] {
	case "declined":
		if err := storage.RecordConsentDeclined(ctx, tx, returneeID, now); err != nil {
			return err
		}
		for _, a := range res.Alerts {
			if _, err := storage.CreateAlert(ctx, tx, storage.Alert{ReturneeID: &returneeID, RuleID: a.RuleID,
				Category: a.Category, Severity: a.Severity, Message: a.Message.In("fr")}); err != nil {
				return err
			}
		}
		if err := storage.SaveOnboardingState(ctx, tx, inv.ID, nil); err != nil {
			return err
		}
		msgs = append(msgs, render(chat.ID, storage.LaneReply, "", res.Messages)...)
		for i := range msgs {
			msgs[i].Ephemeral = true // no trace of the conversation is kept
		}
		return storage.EnqueueMessages(ctx, tx, msgs...)
	case "accepted":
		lang := res.State.Lang
		if err := storage.BindReturnee(ctx, tx, returneeID, upd.SentFrom().ID, chat.ID, lang, now); err != nil {
			return err
		}
		if err := storage.CompleteReturneeInvitations(ctx, tx, returneeID, now); err != nil {
			return err
		}
		if err := storage.CancelConversations(ctx, tx, returneeID, now); err != nil {
			return err
		}
		convID, err := storage.CreateConversation(ctx, tx, returneeID, def.ID, def.Version, state, now)
		if err != nil {
			return err
		}
		if err := storage.SaveOnboardingState(ctx, tx, inv.ID, nil); err != nil {
			return err
		}
		r, err := storage.LockReturnee(ctx, tx, returneeID)
		if err != nil {
			return err
		}
		if err := storage.EnqueueMessages(ctx, tx, msgs...); err != nil {
			return err
		}
		// The answers given so far (language, consent) may be kept now.
		res.Answers = answersFromState(res.State)
		return h.Conv.apply(ctx, tx, r, convID, def, res, storage.LaneReply, nil)
	}
	if err := storage.SaveOnboardingState(ctx, tx, inv.ID, state); err != nil {
		return err
	}
	msgs = append(msgs, render(chat.ID, storage.LaneReply, invPrefix(inv.ID), res.Messages)...)
	return enqueueEphemeral(ctx, tx, msgs) // before consent no message is kept once sent
}

// answersFromState lists the answers of a state, to store them once consent
// allows it.
func answersFromState(st flows.State) []flows.Answer {
	out := make([]flows.Answer, 0, len(st.Answers))
	for id, v := range st.Answers {
		out = append(out, flows.Answer{QuestionID: id, Value: v})
	}
	return out
}

func enqueueEphemeral(ctx context.Context, tx *sql.Tx, msgs []storage.OutboxMessage) error {
	for i := range msgs {
		msgs[i].Ephemeral = true
	}
	return storage.EnqueueMessages(ctx, tx, msgs...)
}
