package telegramtest

import (
	"io"
	"mime/multipart"
)

// Upload is a document the bot uploaded with sendDocument (multipart), as
// the chat's user would download it.
type Upload struct {
	FileID   string
	FileName string
	MimeType string
	Data     []byte
}

// maxUpload is Telegram's limit for a document a bot uploads (50 MB).
const maxUpload = 50 << 20

// readUpload reads a multipart file part whole.
func readUpload(h *multipart.FileHeader) ([]byte, error) {
	f, err := h.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxUpload))
}

// keepUploadLocked keeps the content of a document sent as an upload, so it
// can be downloaded like in a Telegram client. s.mu must be held.
func (s *Server) keepUploadLocked(m *Message, files []File) {
	if m.Kind != "document" {
		return
	}
	for _, f := range files {
		if f.Field != "document" || f.Data == nil {
			continue
		}
		if s.uploads == nil {
			s.uploads = make(map[string]Upload)
		}
		s.uploads[m.FileID] = Upload{FileID: m.FileID, FileName: m.FileName, MimeType: mimeType(m.FileName), Data: f.Data}
	}
}

// Document returns the document the bot sent as message id in chatID, with
// its content; ok is false when that message is not a document uploaded by
// the bot (one sent by file_id or URL has no content here).
func (s *Server) Document(chatID int64, id int) (Upload, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil || c.byID[id] == nil || c.byID[id].Kind != "document" {
		return Upload{}, false
	}
	u, ok := s.uploads[c.byID[id].FileID]
	return u, ok
}

// Changes counts the changes the server has seen (a call, an update, a
// message or an edit): a watcher that saw the same count saw everything.
func (s *Server) Changes() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changes
}
