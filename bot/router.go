package bot

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/storage"
)

// Texts gives the bot's own messages in a language.
type Texts interface {
	Get(lang, key string, args ...any) string
}

// Router handles each update in one transaction: it records the update id
// (a redelivered update has effect once), finds who sent it and hands it to
// the returnee, staff or stranger path, whose replies go to the outbox.
type Router struct {
	DB       *sql.DB
	Texts    Texts
	Logger   *slog.Logger
	Metrics  *Metrics
	Now      func() time.Time
	OnCommit func() // wakes the sender

	// Returnees handles updates from returnees and invitations.
	Returnees PersonHandler
	// Staff handles updates from staff members; nil treats them as strangers.
	Staff PersonHandler
}

// PersonHandler handles one update inside the router's transaction. It
// reports false when the update is not for it.
type PersonHandler interface {
	Handle(ctx context.Context, tx *sql.Tx, upd tgbotapi.Update) (bool, error)
}

// HandleUpdate implements UpdateHandler.
func (r *Router) HandleUpdate(ctx context.Context, upd tgbotapi.Update) error {
	duplicate := false
	err := storage.InTx(ctx, r.DB, func(tx *sql.Tx) error {
		fresh, err := storage.RecordUpdate(ctx, tx, upd.UpdateID)
		if err != nil {
			return err
		}
		if !fresh {
			duplicate = true
			return nil
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
		if r.OnCommit != nil {
			r.OnCommit()
		}
	}
	return nil
}

func (r *Router) count(result string) {
	if r.Metrics != nil {
		r.Metrics.UpdatesHandled.WithLabelValues(result).Inc()
	}
}

func (r *Router) route(ctx context.Context, tx *sql.Tx, upd tgbotapi.Update) error {
	from := upd.SentFrom()
	chat := upd.FromChat()
	if from == nil || chat == nil || !chat.IsPrivate() {
		return nil // channels, groups and service updates: nothing to do
	}
	for _, h := range []PersonHandler{r.Staff, r.Returnees} {
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
	now := time.Now()
	if r.Now != nil {
		now = r.Now()
	}
	reply, err := storage.ReplyToStranger(ctx, tx, upd.SentFrom().ID, now)
	if err != nil || !reply {
		return err
	}
	chat := upd.FromChat()
	lang := languageOf(upd.SentFrom())
	msgs := textMessages(chat.ID, storage.LaneReply, r.Texts.Get(lang, "unknown_user"), nil)
	if upd.CallbackQuery != nil {
		msgs = append(msgs, answerCallback(chat.ID, upd.CallbackQuery.ID, ""))
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
