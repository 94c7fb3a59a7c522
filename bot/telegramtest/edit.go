package telegramtest

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

// editTargetLocked finds the bot message an edit names. s.mu must be held.
func (s *Server) editTargetLocked(r *request) (*chat, *Message, *apiError) {
	if r.params["inline_message_id"] != "" {
		return nil, nil, badRequest("MESSAGE_ID_INVALID")
	}
	c, e := s.requestChatLocked(r)
	if e != nil {
		return nil, nil, e
	}
	id, err := r.int("message_id", 0)
	if err != nil || id == 0 {
		return nil, nil, badRequest("message identifier is not specified")
	}
	m := c.byID[int(id)]
	if m == nil || m.Deleted {
		if _, ok := c.userMsgs[int(id)]; ok {
			return nil, nil, badRequest("message can't be edited")
		}
		return nil, nil, badRequest("message to edit not found")
	}
	return c, m, nil
}

// editedLocked records a successful edit of m. s.mu must be held.
func (s *Server) editedLocked(c *chat, m *Message, mk markup) any {
	m.Keyboard, m.ReplyMarkup, m.inline = mk.keyboard, mk.raw, mk.inline
	m.Edits++
	m.EditDate = s.now()
	s.notifyLocked()
	return s.wireMessageLocked(c, m)
}

// editMessageText replaces a text message's text and, as in Telegram, its
// inline keyboard: an edit without reply_markup removes the keyboard.
func (s *Server) editMessageText(r *request) (any, *apiError) {
	text, mode := r.params["text"], r.params["parse_mode"]
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, e := s.editTargetLocked(r)
	if e != nil {
		return nil, e
	}
	if m.Kind != "text" {
		return nil, badRequest("there is no text in the message to edit")
	}
	plain, e := s.checkTextLocked(text, mode, false)
	if e != nil {
		return nil, e
	}
	mk, e := s.parseMarkupLocked(r)
	if e != nil {
		return nil, e
	}
	if text == m.Text && plain == m.PlainText && string(mk.inline) == string(m.inline) {
		return nil, badRequest(notModified)
	}
	now := s.now()
	if e := s.rateLocked(c, now); e != nil {
		return nil, e
	}
	s.acceptLocked(c, now)
	m.Text, m.PlainText, m.ParseMode = text, plain, mode
	return s.editedLocked(c, m, mk), nil
}

// editMessageCaption replaces a photo's or document's caption and keyboard.
func (s *Server) editMessageCaption(r *request) (any, *apiError) {
	caption, mode := r.params["caption"], r.params["parse_mode"]
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, e := s.editTargetLocked(r)
	if e != nil {
		return nil, e
	}
	if m.Kind == "text" {
		return nil, badRequest("there is no caption in the message to edit")
	}
	plain, e := s.checkTextLocked(caption, mode, true)
	if e != nil {
		return nil, e
	}
	mk, e := s.parseMarkupLocked(r)
	if e != nil {
		return nil, e
	}
	if caption == m.Caption && plain == m.PlainText && string(mk.inline) == string(m.inline) {
		return nil, badRequest(notModified)
	}
	m.Caption, m.PlainText, m.ParseMode = caption, plain, mode
	return s.editedLocked(c, m, mk), nil
}

// editMessageReplyMarkup replaces the inline keyboard (none removes it).
func (s *Server) editMessageReplyMarkup(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, m, e := s.editTargetLocked(r)
	if e != nil {
		return nil, e
	}
	mk, e := s.parseMarkupLocked(r)
	if e != nil {
		return nil, e
	}
	if string(mk.inline) == string(m.inline) {
		return nil, badRequest(notModified)
	}
	return s.editedLocked(c, m, mk), nil
}

func (s *Server) deleteMessage(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.requestChatLocked(r)
	if e != nil {
		return nil, e
	}
	id, err := r.int("message_id", 0)
	if err != nil || id == 0 {
		return nil, badRequest("message identifier is not specified")
	}
	if m := c.byID[int(id)]; m != nil && !m.Deleted {
		m.Deleted = true
		s.notifyLocked()
		return true, nil
	}
	if _, ok := c.userMsgs[int(id)]; ok {
		delete(c.userMsgs, int(id))
		return true, nil
	}
	return nil, badRequest("message to delete not found")
}
