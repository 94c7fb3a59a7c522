package telegramtest

import (
	"encoding/json"
	"unicode/utf8"
)

// BotCommand is one entry of the bot's command menu.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// Scope is a BotCommandScope: Type is "default", "all_private_chats",
// "chat", "chat_member" and so on; ChatID and UserID go with the types that
// need them.
type Scope struct {
	Type   string `json:"type"`
	ChatID int64  `json:"chat_id,omitempty"`
	UserID int64  `json:"user_id,omitempty"`
}

type commandKey struct {
	scope Scope
	lang  string
}

// commandKeyOf reads the scope and language_code parameters.
func commandKeyOf(r *request) (commandKey, *apiError) {
	k := commandKey{scope: Scope{Type: "default"}, lang: r.params["language_code"]}
	if raw, ok := r.json("scope"); ok {
		var sc Scope
		if err := json.Unmarshal([]byte(raw), &sc); err != nil || sc.Type == "" {
			return k, badRequest("can't parse BotCommandScope JSON object")
		}
		k.scope = sc
	}
	if k.lang != "" && len(k.lang) != 2 {
		return k, badRequest("invalid language code specified")
	}
	return k, nil
}

func validCommand(c string) bool {
	if len(c) < 1 || len(c) > 32 {
		return false
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func (s *Server) setMyCommands(r *request) (any, *apiError) {
	k, e := commandKeyOf(r)
	if e != nil {
		return nil, e
	}
	var cmds []BotCommand
	raw, ok := r.json("commands")
	if !ok {
		return nil, badRequest("parameter \"commands\" is required")
	}
	if err := json.Unmarshal([]byte(raw), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands specified: %d", len(cmds))
	}
	for _, c := range cmds {
		if !validCommand(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf8.RuneCountInString(c.Description); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(cmds) == 0 {
		delete(s.commands, k)
	} else {
		s.commands[k] = cmds
	}
	return true, nil
}

func (s *Server) getMyCommands(r *request) (any, *apiError) {
	k, e := commandKeyOf(r)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]BotCommand{}, s.commands[k]...), nil
}

func (s *Server) deleteMyCommands(r *request) (any, *apiError) {
	k, e := commandKeyOf(r)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.commands, k)
	return true, nil
}

// Commands returns the bot's commands for the default scope and language
// code lang ("" for all languages without their own list).
func (s *Server) Commands(lang string) []BotCommand {
	return s.CommandsFor(Scope{Type: "default"}, lang)
}

// CommandsFor returns the bot's commands for scope and lang.
func (s *Server) CommandsFor(scope Scope, lang string) []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]BotCommand(nil), s.commands[commandKey{scope, lang}]...)
}
