package bot

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/storage"
	"suivi/tgmsg"
)

// Texts gives the bot's own messages in a language.
type Texts interface {
	Get(lang, key string, args ...any) string
}

// Router handles each update in one transaction: it records the update id
// (a redelivered update has effect once), finds who sent it and hands it to
// the returnee or stranger path, whose replies go to the outbox. An update
// that keeps failing becomes a dead letter after MaxAttempts (Failed).
type Router struct {
	DB       *sql.DB
	Texts    Texts
	Logger   *slog.Logger
	Metrics  *Metrics
	Now      func() time.Time
	OnCommit func() // wakes the sender

	// Staff handles updates from bound staff members that are not returnees.
	Staff PersonHandler
	// Returnees handles updates from returnees and invitations.
	Returnees PersonHandler
	// MaxAttempts is how many failed attempts make an update a dead letter
	// (default 5).
	MaxAttempts int

	// failed holds the ids of updates this process saw fail and not yet
	// succeed, so only their success pays for clearing their failures; what
	// another process counted is purged by the retention job once handled.
	failed sync.Map
}

// PersonHandler handles one update inside the router's transaction. It
// reports false when the update is not for it.
type PersonHandler interface {
	Handle(ctx context.Context, tx *sql.Tx, upd tgbotapi.Update) (bool, error)
}

// HandleUpdate implements UpdateHandler.
func (r *Router) HandleUpdate(ctx context.Context, upd tgbotapi.Update) error {
	cleanUpdate(&upd)
	duplicate := false
	err := storage.InTx(ctx, r.DB, func(tx *sql.Tx) error {
		fresh, err := storage.StartUpdate(ctx, tx, upd.UpdateID, chatKey(upd), r.now())
		if err != nil {
			return err
		}
		if !fresh {
			duplicate = true
			return nil
		}
		if _, failedBefore := r.failed.LoadAndDelete(upd.UpdateID); failedBefore {
			if err := storage.ClearFailures(ctx, tx, upd.UpdateID); err != nil {
				return err
			}
		}
		return r.route(ctx, tx, upd)
	})
	switch {
	case err != nil:
		r.count("error")
		return fmt.Errorf("handle update %d: %w", upd.UpdateID, err)
	case duplicate:
		r.count("duplicate")
	default:
		r.count("ok")
		r.committed()
	}
	return nil
}

func (r *Router) committed() {
	if r.OnCommit != nil {
		r.OnCommit()
	}
}

func (r *Router) count(result string) {
	if r.Metrics != nil {
		r.Metrics.UpdatesHandled.WithLabelValues(result).Inc()
	}
}

func (r *Router) route(ctx context.Context, tx *sql.Tx, upd tgbotapi.Update) error {
	from := sentFrom(upd)
	chat := fromChat(upd)
	if from == nil || chat == nil || !chat.IsPrivate() {
		return nil // channels, groups and service updates: nothing to do
	}
	// Returnees first: nearly every update is theirs, and the staff lookup
	// is then one statement fewer on the busiest path.
	for _, h := range []PersonHandler{r.Returnees, r.Staff} {
		if h == nil {
			continue
		}
		done, err := h.Handle(ctx, tx, upd)
		if err != nil || done {
			return err
		}
	}
	return r.stranger(ctx, tx, upd)
}

// stranger answers someone Suivi does not know, at most once per account
// every storage.StrangerReplyEvery, so a flood of unknown accounts cannot
// fill the reply lane. Nothing about them is kept but their account id and
// the time of the last reply, for that long: the reply is ephemeral (deleted
// once sent) and only the update id stays.
func (r *Router) stranger(ctx context.Context, tx *sql.Tx, upd tgbotapi.Update) error {
	if upd.Message == nil && upd.CallbackQuery == nil {
		return nil // edits, membership changes: no reply
	}
	reply, err := storage.ReplyToStranger(ctx, tx, upd.SentFrom().ID, r.now())
	if err != nil {
		return err
	}
	chat := upd.FromChat()
	var msgs []storage.OutboxMessage
	if reply {
		msgs = tgmsg.Text(chat.ID, storage.LaneReply, r.Texts.Get(languageOf(upd.SentFrom()), "unknown_user"), nil)
	}
	if upd.CallbackQuery != nil { // even a throttled press stops its spinner
		msgs = append(msgs, tgmsg.AnswerCallback(chat.ID, upd.CallbackQuery.ID, ""))
	}
	for i := range msgs {
		msgs[i].Ephemeral = true
	}
	return storage.EnqueueMessages(ctx, tx, msgs...)
}

// languageOf picks the reply language of a stranger from their client.
func languageOf(u *tgbotapi.User) string {
	if u == nil {
		return "fr"
	}
	switch lc := u.LanguageCode; {
	case len(lc) >= 2 && lc[:2] == "ar":
		return "ar"
	case len(lc) >= 2 && lc[:2] == "en":
		return "en"
	}
	return "fr"
}

// sentFrom is who sent an update; unlike the library's SentFrom it knows
// my_chat_member, so a returnee blocking or unblocking the bot is handled.
func sentFrom(upd tgbotapi.Update) *tgbotapi.User {
	if c := upd.MyChatMember; c != nil {
		return &c.From
	}
	return upd.SentFrom()
}

// fromChat is an update's chat, my_chat_member included. A button pressed
// on an inline message comes without a message, so without a chat (the
// library's FromChat would dereference nil): Suivi sends no inline
// messages, and such a press is ignored.
func fromChat(upd tgbotapi.Update) *tgbotapi.Chat {
	if c := upd.MyChatMember; c != nil {
		return &c.Chat
	}
	if q := upd.CallbackQuery; q != nil && q.Message == nil {
		return nil
	}
	return upd.FromChat()
}
