package followup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"suivi/flows"
	"suivi/storage"
)

// The returnee's own choices, whatever asked for them (a button, a command,
// the command line). Each changes the records in tx; what to say to the
// returnee is the caller's, in its own words.

// Pause holds the returnee's check-ins until until: the one in progress and
// those already opened are cancelled.
func Pause(ctx context.Context, tx *sql.Tx, id storage.ReturneeID, until, now time.Time) error {
	if err := storage.SetReturneeStatus(ctx, tx, int64(id), storage.StatusPaused, &until); err != nil {
		return err
	}
	return cancelCheckins(ctx, tx, id, now)
}

// Stop ends the follow-up at the returnee's request; their case worker is
// told by an opt-out alert.
func Stop(ctx context.Context, tx *sql.Tx, id storage.ReturneeID, now time.Time) error {
	if err := storage.SetReturneeStatus(ctx, tx, int64(id), storage.StatusStopped, nil); err != nil {
		return err
	}
	if err := cancelCheckins(ctx, tx, id, now); err != nil {
		return err
	}
	_, _, err := RaiseAlert(ctx, tx, Alert{Returnee: id, Rule: "returnee.stop", Category: CategoryOptOut,
		Severity: SeverityLow, TextKey: TextOptOut}, now)
	return err
}

func cancelCheckins(ctx context.Context, tx *sql.Tx, id storage.ReturneeID, now time.Time) error {
	if err := storage.CancelConversations(ctx, tx, int64(id), now); err != nil {
		return err
	}
	return storage.CancelOpenCheckins(ctx, tx, int64(id), now)
}

// Resume puts a returnee who stopped, or blocked the bot, back on their
// schedules.
func Resume(ctx context.Context, tx *sql.Tx, id storage.ReturneeID) error {
	return storage.SetReturneeStatus(ctx, tx, int64(id), storage.StatusActive, nil)
}

// MarkUnreachable records that the returnee blocked the bot; their case
// worker is told by an unreachable alert. A pause keeps its end.
func MarkUnreachable(ctx context.Context, tx *sql.Tx, r storage.Returnee, now time.Time) error {
	if err := storage.SetReturneeStatus(ctx, tx, r.ID, storage.StatusUnreachable, r.PausedUntil); err != nil {
		return err
	}
	_, _, err := RaiseAlert(ctx, tx, Alert{Returnee: storage.ReturneeID(r.ID), Rule: "returnee.blocked",
		Category: CategoryUnreachable, Severity: SeverityMedium, TextKey: TextUnreachable}, now)
	return err
}

// RequestHelp asks the returnee's case worker to get in touch.
func RequestHelp(ctx context.Context, tx *sql.Tx, id storage.ReturneeID, now time.Time) (storage.AlertID, error) {
	aid, _, err := RaiseAlert(ctx, tx, Alert{Returnee: id, Rule: "returnee.help", Category: CategoryHelpRequest,
		Severity: SeverityMedium, TextKey: TextHelpRequest}, now)
	return aid, err
}

// Erase erases the returnee's personal data (storage.EraseReturnee says what
// stays) and records who asked in the audit log.
func Erase(ctx context.Context, tx *sql.Tx, id storage.ReturneeID, ref, by string) error {
	if err := storage.EraseReturnee(ctx, tx, int64(id)); err != nil {
		return err
	}
	return storage.WriteAudit(ctx, tx, "returnee", "erase", ref, map[string]any{"by": by})
}

// Move binds the returnee's follow-up to another Telegram account (a new
// phone), at their request through a new invitation.
func Move(ctx context.Context, tx *sql.Tx, id storage.ReturneeID, ref string, telegramID, chatID int64, now time.Time) error {
	if err := storage.MoveReturnee(ctx, tx, int64(id), telegramID, chatID, now); err != nil {
		return err
	}
	return storage.WriteAudit(ctx, tx, "returnee", "returnee.move", ref, map[string]any{"by": "returnee, new invitation"})
}

// DeclineConsent records a refusal at enrolment, and the onboarding flow's
// alerts (the case worker is told); nothing else of the person is kept.
func DeclineConsent(ctx context.Context, tx *sql.Tx, id storage.ReturneeID, def *flows.Definition, res flows.Result, now time.Time) error {
	if err := storage.RecordConsentDeclined(ctx, tx, int64(id), now); err != nil {
		return err
	}
	res.State.Answers = nil // no answer of someone who refused goes with the alert
	return raiseFlowAlerts(ctx, tx, id, 0, def, res, now)
}

// Consent binds a returnee who accepted the follow-up to their Telegram
// chat, closes their invitations, and moves the onboarding conversation to
// its own row, where the answers given so far (language, consent) are now
// kept; the rest of the engine's result is applied as for any step.
func (c *Conversations) Consent(ctx context.Context, tx *sql.Tx, id storage.ReturneeID, invitationID, telegramID, chatID int64, def *flows.Definition, res flows.Result) error {
	now := c.Now()
	rid := int64(id)
	state, err := jsonState(res.State)
	if err != nil {
		return err
	}
	if err := storage.BindReturnee(ctx, tx, rid, telegramID, chatID, res.State.Lang, now); err != nil {
		return err
	}
	if err := storage.CompleteReturneeInvitations(ctx, tx, rid, now); err != nil {
		return err
	}
	if err := storage.CancelConversations(ctx, tx, rid, now); err != nil {
		return err
	}
	convID, err := storage.CreateConversation(ctx, tx, rid, def.ID, def.Version, state, now)
	if err != nil {
		return err
	}
	if err := storage.SaveOnboardingState(ctx, tx, invitationID, nil); err != nil {
		return err
	}
	r, err := storage.LockReturnee(ctx, tx, rid)
	if err != nil {
		return err
	}
	res.Answers = make([]flows.Answer, 0, len(res.State.Answers))
	for q, v := range res.State.Answers {
		res.Answers = append(res.Answers, flows.Answer{QuestionID: q, Value: v})
	}
	return c.Apply(ctx, tx, r, convID, def, res, storage.LaneReply, nil)
}

// SetLanguage changes the returnee's language; a check-in in progress goes
// on in the new language, its question asked again.
func (c *Conversations) SetLanguage(ctx context.Context, tx *sql.Tx, r storage.Returnee, lang string) error {
	if lang != "fr" && lang != "ar" && lang != "en" {
		return fmt.Errorf("set language %q: %w", lang, storage.ErrInvalid)
	}
	if err := storage.UpdateReturneeSettings(ctx, tx, r.ID, lang, "", ""); err != nil {
		return err
	}
	r.Language = lang
	conv, err := storage.ActiveConversation(ctx, tx, r.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if conv.State, err = withLanguage(conv.State, lang); err != nil {
		return err
	}
	if err := storage.SaveConversation(ctx, tx, conv.ID, conv.State, conv.Status, c.Now()); err != nil {
		return err
	}
	return c.Prompt(ctx, tx, r, conv, storage.LaneReply, "")
}

// applySettings stores what the returnee chose inside a flow.
func (c *Conversations) applySettings(ctx context.Context, tx *sql.Tx, r storage.Returnee, s map[string]string) error {
	if len(s) == 0 {
		return nil
	}
	start, end, _ := strings.Cut(s["window"], "-")
	return storage.UpdateReturneeSettings(ctx, tx, r.ID, s["language"], start, end)
}
