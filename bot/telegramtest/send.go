package telegramtest

import (
	"mime"
	"path"
	"time"
)

func (s *Server) getMe(*request) (any, *apiError) {
	me := struct {
		wireUser
		CanJoinGroups           bool `json:"can_join_groups"`
		CanReadAllGroupMessages bool `json:"can_read_all_group_messages"`
		SupportsInlineQueries   bool `json:"supports_inline_queries"`
	}{wireUser: s.bot, CanJoinGroups: true}
	return me, nil
}

func (s *Server) sendMessage(r *request) (any, *apiError) {
	text, mode := r.params["text"], r.params["parse_mode"]
	s.mu.Lock()
	defer s.mu.Unlock()
	c, plain, mk, now, e := s.acceptSendLocked(r, text, mode, false)
	if e != nil {
		return nil, e
	}
	m := s.addMessageLocked(c, &Message{
		Kind: "text", Text: text, PlainText: plain, ParseMode: mode,
		Keyboard: mk.keyboard, ReplyMarkup: mk.raw, inline: mk.inline, Date: now,
	})
	return s.wireMessageLocked(c, m), nil
}

func (s *Server) sendPhoto(r *request) (any, *apiError) { return s.sendFile(r, "photo") }

func (s *Server) sendDocument(r *request) (any, *apiError) { return s.sendFile(r, "document") }

// sendFile sends a photo or document given as an upload, a file_id or a URL.
func (s *Server) sendFile(r *request, field string) (any, *apiError) {
	caption, mode := r.params["caption"], r.params["parse_mode"]
	var name, ref string
	for _, f := range r.files {
		if f.Field == field {
			name = f.Name
		}
	}
	if name == "" {
		ref = r.params[field]
		if ref == "" {
			return nil, badRequest("there is no %s in the request", field)
		}
		name = path.Base(ref)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, plain, mk, now, e := s.acceptSendLocked(r, caption, mode, true)
	if e != nil {
		return nil, e
	}
	m := &Message{
		Kind: field, Caption: caption, PlainText: plain, ParseMode: mode,
		FileRef: ref, FileID: s.nextFileIDLocked(),
		Keyboard: mk.keyboard, ReplyMarkup: mk.raw, inline: mk.inline, Date: now,
	}
	if ref == "" {
		m.FileName = name
	}
	if field == "document" && m.FileName == "" {
		m.FileName = name
	}
	s.keepUploadLocked(m, r.files)
	s.addMessageLocked(c, m)
	return s.wireMessageLocked(c, m), nil
}

func (s *Server) sendChatAction(r *request) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, e := s.requestChatLocked(r); e != nil {
		return nil, e
	}
	if r.params["action"] == "" {
		return nil, badRequest("action is empty")
	}
	return true, nil
}

// mimeType guesses a document's MIME type from its name.
func mimeType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// acceptSendLocked checks a send the way Telegram does (chat, text or
// caption, markup, rate) and counts it as accepted.
func (s *Server) acceptSendLocked(r *request, text, mode string, caption bool) (*chat, string, markup, time.Time, *apiError) {
	c, e := s.requestChatLocked(r)
	if e != nil {
		return nil, "", markup{}, time.Time{}, e
	}
	plain, e := s.checkTextLocked(text, mode, caption)
	if e != nil {
		return nil, "", markup{}, time.Time{}, e
	}
	mk, e := s.parseMarkupLocked(r)
	if e != nil {
		return nil, "", markup{}, time.Time{}, e
	}
	now := s.now()
	if e := s.rateLocked(c, now); e != nil {
		return nil, "", markup{}, time.Time{}, e
	}
	s.acceptLocked(c, now)
	return c, plain, mk, now, nil
}
