package telegramtest

import (
	"context"
	"encoding/json"
	"strconv"
	"time"
)

// Message is a message the bot sent, in its current state.
type Message struct {
	ID          int
	ChatID      int64
	Kind        string // "text", "photo" or "document"
	Text        string // text as the bot sent it, markup included; current after edits
	Caption     string // caption of a photo or document, as sent
	PlainText   string // the text or caption as the user sees it, markup applied
	ParseMode   string
	FileName    string // name of the uploaded file; for a document sent by file_id or URL, its last element
	FileRef     string // file_id or URL the bot sent instead of an upload
	FileID      string // file_id the server gave the photo or document
	Keyboard    [][]Button
	ReplyMarkup string // reply_markup JSON as last sent, "" when none
	Date        time.Time
	EditDate    time.Time // zero until edited
	Edits       int       // successful edits of text, caption or markup
	Deleted     bool

	inline json.RawMessage // canonical inline keyboard, for comparing and echoing
}

// Button is one inline keyboard button.
type Button struct {
	Text string
	Data string // callback_data
	URL  string
}

// Buttons returns a copy of the message's current inline keyboard, row by row.
func (m Message) Buttons() [][]Button {
	out := make([][]Button, len(m.Keyboard))
	for i, row := range m.Keyboard {
		out[i] = append([]Button(nil), row...)
	}
	return out
}

// chat is a private chat between the bot and a user (or a chat known only
// through Forbid). Message ids are shared by both sides, as in Telegram.
type chat struct {
	id        int64
	user      *User // nil for a chat known only through Forbid
	lastMsgID int
	msgs      []*Message        // the bot's messages, in order
	byID      map[int]*Message  // the bot's messages by id
	userMsgs  map[int]time.Time // the user's messages: date by id
	lastSend  time.Time         // last accepted send, for the per-chat rate

	blocked, deactivated, forbidden bool
}

// chatLocked returns the chat with id, creating it if needed. s.mu must be held.
func (s *Server) chatLocked(id int64) *chat {
	c := s.chats[id]
	if c == nil {
		c = &chat{id: id, byID: make(map[int]*Message), userMsgs: make(map[int]time.Time)}
		s.chats[id] = c
	}
	return c
}

// reachable returns the 403 Telegram gives when the bot can't write to c.
func (c *chat) reachable() *apiError {
	switch {
	case c.deactivated:
		return forbidden("user is deactivated")
	case c.blocked || c.forbidden:
		return forbidden("bot was blocked by the user")
	}
	return nil
}

func (c *chat) wire() wireChat {
	w := wireChat{ID: c.id, Type: "private"}
	if c.user != nil {
		w.FirstName, w.LastName, w.Username = c.user.firstName, c.user.lastName, c.user.username
	}
	return w
}

// requestChatLocked finds the chat a call names in chat_id and checks that
// the bot may write to it. s.mu must be held.
func (s *Server) requestChatLocked(r *request) (*chat, *apiError) {
	v := r.params["chat_id"]
	if v == "" {
		return nil, badRequest("chat_id is empty")
	}
	id, err := parseInt64(v)
	if err != nil {
		return nil, badRequest("chat not found")
	}
	c := s.chats[id]
	if c == nil {
		return nil, badRequest("chat not found")
	}
	if e := c.reachable(); e != nil {
		return nil, e
	}
	return c, nil
}

// addMessageLocked stores a new bot message in c. s.mu must be held.
func (s *Server) addMessageLocked(c *chat, m *Message) *Message {
	c.lastMsgID++
	m.ID = c.lastMsgID
	m.ChatID = c.id
	c.msgs = append(c.msgs, m)
	c.byID[m.ID] = m
	s.sent++
	s.notifyLocked()
	return m
}

// wireMessageLocked is a bot message as the Bot API shows it.
func (s *Server) wireMessageLocked(c *chat, m *Message) *wireMessage {
	w := &wireMessage{
		MessageID:   m.ID,
		From:        &s.bot,
		Chat:        c.wire(),
		Date:        m.Date.Unix(),
		ReplyMarkup: m.inline,
	}
	if !m.EditDate.IsZero() {
		w.EditDate = m.EditDate.Unix()
	}
	switch m.Kind {
	case "photo":
		w.Caption = m.PlainText
		w.Photo = []wirePhotoSize{
			{FileID: m.FileID + "-s", FileUniqueID: uniqueID(m.FileID + "-s"), Width: 90, Height: 90, FileSize: 1200},
			{FileID: m.FileID, FileUniqueID: uniqueID(m.FileID), Width: 800, Height: 800, FileSize: 48000},
		}
	case "document":
		w.Caption = m.PlainText
		w.Document = &wireDocument{FileID: m.FileID, FileUniqueID: uniqueID(m.FileID), FileName: m.FileName, MimeType: mimeType(m.FileName), FileSize: 1024}
	default:
		w.Text = m.PlainText
	}
	return w
}

// nextFileIDLocked returns a fresh file_id. s.mu must be held.
func (s *Server) nextFileIDLocked() string {
	s.fileSeq++
	return "file-" + strconv.Itoa(s.fileSeq)
}

func uniqueID(fileID string) string { return "u" + fileID }

// Messages returns the bot's messages in chatID, oldest first, deleted ones
// included (see Message.Deleted).
func (s *Server) Messages(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.messagesLocked(chatID)
}

func (s *Server) messagesLocked(chatID int64) []Message {
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	out := make([]Message, len(c.msgs))
	for i, m := range c.msgs {
		out[i] = *m
	}
	return out
}

// LastMessage returns the bot's latest message in chatID; ok is false if
// there is none.
func (s *Server) LastMessage(chatID int64) (m Message, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil || len(c.msgs) == 0 {
		return Message{}, false
	}
	return *c.msgs[len(c.msgs)-1], true
}

// Message returns the bot's message id in chatID.
func (s *Server) Message(chatID int64, id int) (m Message, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chatID]; c != nil {
		if p := c.byID[id]; p != nil {
			return *p, true
		}
	}
	return Message{}, false
}

// WaitMessages blocks until the bot has sent at least n messages to chatID
// (deleted ones count), then returns them all; or returns ctx's error.
func (s *Server) WaitMessages(ctx context.Context, chatID int64, n int) ([]Message, error) {
	for {
		s.mu.Lock()
		if c := s.chats[chatID]; c != nil && len(c.msgs) >= n {
			out := s.messagesLocked(chatID)
			s.mu.Unlock()
			return out, nil
		}
		ch := s.changedLocked()
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return s.Messages(chatID), ctx.Err()
		case <-s.done:
			return s.Messages(chatID), ErrClosed
		}
	}
}

// Sent is how many messages (sendMessage, sendPhoto, sendDocument) the
// server accepted in all.
func (s *Server) Sent() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent
}
