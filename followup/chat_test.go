package followup_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"suivi/contacts"
	"suivi/flows"
	"suivi/followup"
	"suivi/storage"
	"suivi/storage/storagetest"
)

// chat is one enrolled returnee talking to the real flows through
// followup.Conversations, each call in its own transaction, at the time now
// (which a test moves).
type chat struct {
	t       *testing.T
	ctx     context.Context
	db      *sql.DB
	cat     *flows.Catalog
	conv    *followup.Conversations
	rid     storage.ReturneeID
	staffID int64
	now     time.Time
}

// newChat enrols a returnee (consent given, chat id and language set) in a
// fresh database, at t0.
func newChat(t *testing.T, chatID int64, lang string) *chat {
	t.Helper()
	db, _ := storagetest.NewDatabase(t)
	rid, staffID := newReturnee(t, db)
	if _, err := db.Exec(`UPDATE returnees SET chat_id = $2, telegram_id = $2, consent = 'accepted', language = $3 WHERE id = $1`,
		rid, chatID, lang); err != nil {
		t.Fatal(err)
	}
	cat, err := flows.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	c := &chat{t: t, ctx: context.Background(), db: db, cat: cat, rid: rid, staffID: staffID, now: t0}
	c.conv = &followup.Conversations{Flows: cat, Texts: cat.Texts, Contacts: contacts.Default(),
		Now: func() time.Time { return c.now }, Logger: slog.New(slog.DiscardHandler)}
	return c
}

// inTx runs fn with the returnee locked, in one transaction.
func (c *chat) inTx(fn func(tx *sql.Tx, r storage.Returnee) error) {
	c.t.Helper()
	if err := storage.InTx(c.ctx, c.db, func(tx *sql.Tx) error {
		r, err := storage.LockReturnee(c.ctx, tx, int64(c.rid))
		if err != nil {
			return err
		}
		return fn(tx, r)
	}); err != nil {
		c.t.Fatal(err)
	}
}

// start opens flowID and returns the conversation's id.
func (c *chat) start(flowID string) int64 {
	c.t.Helper()
	var id int64
	c.inTx(func(tx *sql.Tx, r storage.Returnee) (err error) {
		id, err = c.conv.Start(c.ctx, tx, r, flowID, storage.LaneBulk)
		return err
	})
	return id
}

// step gives the conversation one input.
func (c *chat) step(id int64, in flows.Input) {
	c.t.Helper()
	c.inTx(func(tx *sql.Tx, r storage.Returnee) error {
		conv, err := storage.ConversationByID(c.ctx, tx, id)
		if err != nil {
			return err
		}
		return c.conv.Step(c.ctx, tx, r, conv, in, nil)
	})
}

// press presses question qid's button value.
func (c *chat) press(id int64, qid, value string) {
	c.t.Helper()
	c.step(id, flows.Input{Kind: flows.InputButton, Button: qid + ":" + value})
}

// expire closes the conversation as unanswered, at now.
func (c *chat) expire(id int64) {
	c.t.Helper()
	c.inTx(func(tx *sql.Tx, r storage.Returnee) error {
		conv, err := storage.ConversationByID(c.ctx, tx, id)
		if err != nil {
			return err
		}
		return storage.SaveConversation(c.ctx, tx, id, conv.State, storage.ConversationExpired, c.now)
	})
}

// state is the conversation's stored state.
func (c *chat) state(id int64) flows.State {
	c.t.Helper()
	conv, err := storage.ConversationByID(c.ctx, c.db, id)
	if err != nil {
		c.t.Fatal(err)
	}
	var st flows.State
	if err := json.Unmarshal(conv.State, &st); err != nil {
		c.t.Fatal(err)
	}
	return st
}
