package sandbox

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"suivi/bot/telegramtest"
)

// snapshot is everything the page shows, sent whole at every change: the
// chats as the fake Bot API holds them, the clock and the flows.
type snapshot struct {
	Clock      string       `json:"clock"` // 15/03/2026 10:00, in SUIVI_TIMEZONE
	Ahead      string       `json:"ahead"` // how far the clock was moved
	Chats      []chatView   `json:"chats"`
	Flows      []flowView   `json:"flows"`
	FlowsDir   string       `json:"flows_dir"`
	Reload     *reloadView  `json:"reload,omitempty"`
	Restarting bool         `json:"restarting"`
	Notices    []noticeView `json:"notices"`
}

type chatView struct {
	ID       int64                     `json:"id"`
	Role     string                    `json:"role"`
	Key      string                    `json:"key"`
	Name     string                    `json:"name"`
	Lang     string                    `json:"lang"`
	Token    string                    `json:"token,omitempty"`
	Messages []messageView             `json:"messages"`
	Commands []telegramtest.BotCommand `json:"commands"`
}

type messageView struct {
	ID       int            `json:"id"`
	Mine     bool           `json:"mine"` // typed by the page's user
	Text     string         `json:"text"`
	Date     string         `json:"date"`
	Buttons  [][]buttonView `json:"buttons,omitempty"`
	Edited   bool           `json:"edited,omitempty"`
	Deleted  bool           `json:"deleted,omitempty"`
	Document *documentView  `json:"document,omitempty"`
}

type buttonView struct {
	Text string `json:"text"`
	Data string `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
}

type documentView struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"` // empty: sent by file_id or URL, no content here
}

type flowView struct {
	ID       string `json:"id"`
	Version  int    `json:"version"`
	Title    string `json:"title"`
	Schedule string `json:"schedule"`
}

// noticeView is a callback answer the bot showed (a toast in Telegram).
type noticeView struct {
	Text string `json:"text"`
}

// snapshot reads the page's state from the fake Bot API and the app.
func (s *Sandbox) snapshot() snapshot {
	s.mu.Lock()
	people, f, a := s.people, s.fake, s.app
	typed := map[int64][]typedMessage{}
	for k, v := range s.typed {
		typed[k] = slices.Clone(v)
	}
	reload := s.lastReload
	s.mu.Unlock()
	now := s.clock.Now().In(s.cfg.Timezone)
	snap := snapshot{Clock: now.Format("02/01/2006 15:04"), Ahead: ahead(s.clock.Offset()), FlowsDir: s.cfg.FlowsDir,
		Reload: reload, Restarting: a == nil, Chats: []chatView{}, Flows: []flowView{}, Notices: []noticeView{}}
	for _, p := range append(slices.Clone(people.Returnees), people.Staff...) {
		snap.Chats = append(snap.Chats, s.chatView(f, p, typed[p.TelegramID]))
	}
	if a != nil {
		for _, d := range a.Flows.List() {
			snap.Flows = append(snap.Flows, flowView{ID: d.ID, Version: d.Version, Title: d.Title.In("en"), Schedule: schedule(d.Schedule.Trigger, d.Schedule.Months)})
		}
	}
	answers := f.CallbackAnswers()
	for _, ans := range answers[max(0, len(answers)-3):] {
		if ans.Text != "" {
			snap.Notices = append(snap.Notices, noticeView{Text: ans.Text})
		}
	}
	return snap
}

func (s *Sandbox) chatView(f *telegramtest.Server, p Person, typed []typedMessage) chatView {
	v := chatView{ID: p.TelegramID, Role: p.Role, Key: p.Key, Name: p.Name, Lang: p.Lang, Token: p.Token, Messages: []messageView{}}
	v.Commands = f.CommandsFor(telegramtest.Scope{Type: "chat", ChatID: p.TelegramID}, "")
	if len(v.Commands) == 0 {
		v.Commands = f.Commands(p.Lang)
	}
	if len(v.Commands) == 0 {
		v.Commands = f.Commands("")
	}
	date := func(t time.Time) string { return t.In(s.cfg.Timezone).Format("02/01 15:04") }
	for _, m := range f.Messages(p.TelegramID) {
		mv := messageView{ID: m.ID, Text: m.PlainText, Date: date(m.Date), Edited: m.Edits > 0, Deleted: m.Deleted}
		for _, row := range m.Keyboard {
			var r []buttonView
			for _, b := range row {
				r = append(r, buttonView{Text: b.Text, Data: b.Data, URL: b.URL})
			}
			mv.Buttons = append(mv.Buttons, r)
		}
		if m.Kind == "document" {
			mv.Document = &documentView{Name: m.FileName}
			if _, ok := f.Document(p.TelegramID, m.ID); ok {
				mv.Document.URL = "/sandbox/documents/" + strconv.FormatInt(p.TelegramID, 10) + "/" + strconv.Itoa(m.ID) +
					"?name=" + url.QueryEscape(m.FileName)
			}
		}
		v.Messages = append(v.Messages, mv)
	}
	for _, t := range typed {
		v.Messages = append(v.Messages, messageView{ID: t.ID, Mine: true, Text: t.Text, Date: date(t.Date)})
	}
	// Message ids are shared by both sides of a chat, as in Telegram.
	slices.SortStableFunc(v.Messages, func(a, b messageView) int { return a.ID - b.ID })
	return v
}

// ahead says how far the clock was moved: "+1 month 3 days", "" when not.
func ahead(d time.Duration) string {
	d = d.Round(time.Minute) // the clock was set to the end of a step, a moment ago
	days := int(d / (24 * time.Hour))
	hours := int(d%(24*time.Hour)) / int(time.Hour)
	switch {
	case days == 0 && hours == 0:
		return ""
	case days == 0:
		return fmt.Sprintf("+%dh", hours)
	}
	return fmt.Sprintf("+%dd %dh", days, hours)
}

func schedule(trigger string, months []int) string {
	if trigger != "return" {
		return trigger
	}
	s := "months"
	for _, m := range months {
		s += " " + strconv.Itoa(m)
	}
	return s + " after return"
}
