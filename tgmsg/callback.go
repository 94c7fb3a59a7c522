package tgmsg

import (
	"strconv"
	"strings"

	"suivi/flows"
	"suivi/storage"
)

// The callback data of every button Suivi sends, in one place. Telegram
// gives it back as is when the button is pressed, and anyone can forge it,
// so it only names things (a conversation, an invitation, a choice) that the
// handler then checks against what the presser may do.
//
//	c<conversation id>:<payload>  a check-in question's button; the payload is
//	                              the flow engine's (at most 48 bytes)
//	i<invitation id>:<payload>    onboarding before consent (the engine's
//	                              payload), and the move question: move:y, move:n
//	h:talk                        /help: talk to my case worker
//	l:fr, l:ar, l:en              /language
//	p:<weeks>                     /pause for 1, 2, 4 or 8 weeks
//	s:y, s:n                      /stop confirmed or not
//	d:y, d:n                      /delete confirmed or not
//	a<alert id>:<action>          a staff member's alert button: ack, note,
//	                              resolve, reassign, or reassign:<staff id>
//
// The whole is at most MaxCallbackData bytes: an id of up to 14 digits with
// its kind and colon takes 16, leaving 48 for the engine's payload.
const MaxCallbackData = 64

// Kind is the first byte of callback data: what the button belongs to.
type Kind byte

// The kinds of buttons.
const (
	KindConversation Kind = 'c'
	KindInvitation   Kind = 'i'
	KindHelp         Kind = 'h'
	KindLanguage     Kind = 'l'
	KindPause        Kind = 'p'
	KindStop         Kind = 's'
	KindDelete       Kind = 'd'
	KindAlert        Kind = 'a'
)

// hasID reports whether data of this kind carries an id before the colon.
func (k Kind) hasID() bool {
	return k == KindConversation || k == KindInvitation || k == KindAlert
}

func (k Kind) known() bool {
	switch k {
	case KindConversation, KindInvitation, KindHelp, KindLanguage, KindPause, KindStop, KindDelete, KindAlert:
		return true
	}
	return false
}

// Payloads of the move question (KindInvitation).
const (
	MoveYes = "move:y"
	MoveNo  = "move:n"
)

// Callback is parsed callback data.
type Callback struct {
	Kind Kind
	ID   int64  // conversation or invitation id; 0 for the command kinds
	Arg  string // the payload or the choice, never empty
}

// Data is the callback data of c, as put on a button.
func (c Callback) Data() string {
	if c.Kind.hasID() {
		return Prefix(c.Kind, c.ID) + c.Arg
	}
	return string(c.Kind) + ":" + c.Arg
}

// Prefix is what comes before the payload of a kind with an id: "c42:".
func Prefix(k Kind, id int64) string {
	return string(k) + strconv.FormatInt(id, 10) + ":"
}

// Command is the callback data of a command's choice: "p:4".
func Command(k Kind, arg string) string { return Callback{Kind: k, Arg: arg}.Data() }

// Parse reads callback data; ok is false for anything Suivi did not write
// (unknown kind, bad id, empty payload, too long).
func Parse(data string) (Callback, bool) {
	if len(data) < 3 || len(data) > MaxCallbackData {
		return Callback{}, false
	}
	c := Callback{Kind: Kind(data[0])}
	if !c.Kind.known() {
		return Callback{}, false
	}
	idText, arg, ok := strings.Cut(data[1:], ":")
	if !ok || arg == "" {
		return Callback{}, false
	}
	c.Arg = arg
	if !c.Kind.hasID() {
		if idText != "" {
			return Callback{}, false
		}
		return c, true
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 || idText[0] == '+' {
		return Callback{}, false
	}
	c.ID = id
	return c, true
}

// FlowKeyboard turns the engine's buttons into a keyboard whose data is
// prefix (Prefix's) followed by each button's payload.
func FlowKeyboard(prefix string, rows [][]flows.Button) Keyboard {
	var kb Keyboard
	for _, row := range rows {
		var r []Button
		for _, b := range row {
			r = append(r, Button{Text: b.Text, Data: prefix + b.Payload})
		}
		kb = append(kb, r)
	}
	return kb
}

// FlowMessages turns the engine's messages into sendMessage rows, their
// buttons' data prefixed with prefix.
func FlowMessages(chatID int64, lane int, prefix string, msgs []flows.Message) []storage.OutboxMessage {
	var out []storage.OutboxMessage
	for _, m := range msgs {
		out = append(out, Text(chatID, lane, m.Text, FlowKeyboard(prefix, m.Buttons))...)
	}
	return out
}
