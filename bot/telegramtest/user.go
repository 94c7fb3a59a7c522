package telegramtest

import (
	"strconv"
	"strings"
	"unicode/utf16"
)

// User is a Telegram user in a private chat with the bot; the chat id is the
// user id. Its methods play the user's side: each queues the update Telegram
// would send the bot.
type User struct {
	srv       *Server
	id        int64
	firstName string
	lastName  string
	username  string
	lang      string
}

// UserOption sets a User's profile.
type UserOption func(*User)

// FirstName sets the user's first name (default "User <id>").
func FirstName(name string) UserOption { return func(u *User) { u.firstName = name } }

// LastName sets the user's last name (default none).
func LastName(name string) UserOption { return func(u *User) { u.lastName = name } }

// Username sets the user's @username (default none).
func Username(name string) UserOption { return func(u *User) { u.username = name } }

// Language sets the user's language_code (default "fr").
func Language(code string) UserOption { return func(u *User) { u.lang = code } }

// User returns the user id, creating the user and its private chat on first
// use; opts update the profile either way.
func (s *Server) User(id int64, opts ...UserOption) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[id]
	if u == nil {
		u = &User{srv: s, id: id, firstName: "User " + strconv.FormatInt(id, 10), lang: "fr"}
		s.users[id] = u
		s.chatLocked(id).user = u
	}
	for _, opt := range opts {
		opt(u)
	}
	return u
}

// ID is the user's id, which is also the private chat's id.
func (u *User) ID() int64 { return u.id }

func (u *User) wire() wireUser {
	return wireUser{ID: u.id, FirstName: u.firstName, LastName: u.lastName, Username: u.username, LanguageCode: u.lang}
}

// send queues a new message from the user, filled in by fill, and returns its id.
func (u *User) send(fill func(s *Server, m *wireMessage)) int {
	s := u.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatLocked(u.id)
	c.lastMsgID++
	now := s.now()
	from := u.wire()
	m := &wireMessage{MessageID: c.lastMsgID, From: &from, Chat: c.wire(), Date: now.Unix()}
	fill(s, m)
	c.userMsgs[m.MessageID] = now
	s.enqueueLocked(&wireUpdate{Message: m})
	return m.MessageID
}

// commandEntities marks a leading /command the way Telegram clients do.
func commandEntities(text string) []wireEntity {
	if !strings.HasPrefix(text, "/") {
		return nil
	}
	end := strings.IndexAny(text, " \n\t")
	if end < 0 {
		end = len(text)
	}
	if end == 1 {
		return nil
	}
	return []wireEntity{{Type: "bot_command", Offset: 0, Length: len(utf16.Encode([]rune(text[:end])))}}
}

// SendText sends a text message and returns its message id. A leading
// "/command" gets its bot_command entity, as in Telegram.
func (u *User) SendText(text string) int {
	return u.send(func(_ *Server, m *wireMessage) {
		m.Text = text
		m.Entities = commandEntities(text)
	})
}

// SendCommand sends "/cmd args" (cmd with or without its slash; args may be
// empty) and returns the message id; "start", "TOKEN" is a deep link.
func (u *User) SendCommand(cmd, args string) int {
	text := "/" + strings.TrimPrefix(cmd, "/")
	if args != "" {
		text += " " + args
	}
	return u.SendText(text)
}

// SendSticker sends a sticker and returns the message id.
func (u *User) SendSticker() int {
	return u.send(func(s *Server, m *wireMessage) {
		id := s.nextFileIDLocked()
		m.Sticker = &wireSticker{FileID: id, FileUniqueID: uniqueID(id), Width: 512, Height: 512, Emoji: "👍"}
	})
}

// SendPhoto sends a photo with caption (may be empty) and returns the message id.
func (u *User) SendPhoto(caption string) int {
	return u.send(func(s *Server, m *wireMessage) {
		small, large := s.nextFileIDLocked(), s.nextFileIDLocked()
		m.Photo = []wirePhotoSize{
			{FileID: small, FileUniqueID: uniqueID(small), Width: 90, Height: 90, FileSize: 1500},
			{FileID: large, FileUniqueID: uniqueID(large), Width: 1280, Height: 960, FileSize: 95000},
		}
		m.Caption = caption
	})
}

// SendVoice sends a 3-second voice note and returns the message id.
func (u *User) SendVoice() int {
	return u.send(func(s *Server, m *wireMessage) {
		id := s.nextFileIDLocked()
		m.Voice = &wireVoice{FileID: id, FileUniqueID: uniqueID(id), Duration: 3, MimeType: "audio/ogg", FileSize: 9000}
	})
}

// SendLocation shares a location and returns the message id.
func (u *User) SendLocation(lat, lon float64) int {
	return u.send(func(_ *Server, m *wireMessage) {
		m.Location = &wireLocation{Latitude: lat, Longitude: lon}
	})
}

// SendDocument sends a file called name and returns the message id.
func (u *User) SendDocument(name string) int {
	return u.send(func(s *Server, m *wireMessage) {
		id := s.nextFileIDLocked()
		m.Document = &wireDocument{FileID: id, FileUniqueID: uniqueID(id), FileName: name, MimeType: mimeType(name), FileSize: 2048}
	})
}

// EditText edits the user's message messageID to text (an edited_message
// update) and returns the update id.
func (u *User) EditText(messageID int, text string) int {
	s := u.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatLocked(u.id)
	now := s.now()
	date, ok := c.userMsgs[messageID]
	if !ok {
		date = now
	}
	from := u.wire()
	m := &wireMessage{
		MessageID: messageID, From: &from, Chat: c.wire(), Date: date.Unix(), EditDate: now.Unix(),
		Text: text, Entities: commandEntities(text),
	}
	return s.enqueueLocked(&wireUpdate{EditedMessage: m})
}

// Press presses the inline button with data under the bot's message
// messageID in this chat, and returns the callback query id. The query
// carries the message as the user sees it (text and current keyboard); data
// need not be on the keyboard, to play a stale client. For an unknown or
// deleted message the query carries only the message id and chat, with date 0,
// as Telegram does for inaccessible messages.
func (u *User) Press(messageID int, data string) string {
	s := u.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatLocked(u.id)
	s.cbSeq++
	id := strconv.FormatInt(4_000_000_000_000_000_000+int64(s.cbSeq), 10)
	msg := &wireMessage{MessageID: messageID, Chat: c.wire()}
	if m := c.byID[messageID]; m != nil && !m.Deleted {
		msg = s.wireMessageLocked(c, m)
	}
	s.callbacks[id] = &callbackState{chatID: u.id}
	s.cbOrder = append(s.cbOrder, id)
	s.enqueueLocked(&wireUpdate{CallbackQuery: &wireCallbackQuery{
		ID: id, From: u.wire(), Message: msg, Data: data,
		ChatInstance: strconv.FormatInt(-u.id*7919, 10),
	}})
	return id
}

// Block blocks the bot: sends to the chat now get 403 and the bot receives a
// my_chat_member update (member → kicked), whose id Block returns (0 if the
// bot was already blocked).
func (u *User) Block() int { return u.setBlocked(true) }

// Unblock unblocks the bot (my_chat_member kicked → member) and returns the
// update id (0 if the bot was not blocked).
func (u *User) Unblock() int { return u.setBlocked(false) }

func (u *User) setBlocked(blocked bool) int {
	s := u.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatLocked(u.id)
	if c.blocked == blocked {
		return 0
	}
	c.blocked = blocked
	oldStatus, newStatus := "member", "kicked"
	if !blocked {
		oldStatus, newStatus = newStatus, oldStatus
	}
	return s.enqueueLocked(&wireUpdate{MyChatMember: &wireChatMemberUpdated{
		Chat: c.wire(), From: u.wire(), Date: s.nowUnix(),
		OldChatMember: wireChatMember{User: s.bot, Status: oldStatus},
		NewChatMember: wireChatMember{User: s.bot, Status: newStatus},
	}})
}

// Deactivate deletes the user's account: sends to the chat now get 403
// "Forbidden: user is deactivated". Telegram sends no update for this.
func (u *User) Deactivate() {
	s := u.srv
	s.mu.Lock()
	s.chatLocked(u.id).deactivated = true
	s.mu.Unlock()
}

// Messages returns the bot's messages in this user's chat (see Server.Messages).
func (u *User) Messages() []Message { return u.srv.Messages(u.id) }

// LastMessage returns the bot's latest message in this user's chat.
func (u *User) LastMessage() (Message, bool) { return u.srv.LastMessage(u.id) }

// Blocked reports whether the user has blocked the bot.
func (u *User) Blocked() bool {
	u.srv.mu.Lock()
	defer u.srv.mu.Unlock()
	return u.srv.chats[u.id].blocked
}
