package flows

import (
	"maps"
	"slices"
	"time"
)

// Value kinds.
const (
	KindOption  = "option"  // single, yes/no: Option
	KindOptions = "options" // multiple: Options
	KindNumber  = "number"  // number, scale: Number
	KindText    = "text"
	KindDate    = "date" // Date as YYYY-MM-DD
	KindSkipped = "skipped"
	KindMedia   = "media" // a photo or voice note kept for the case worker: MediaKind, FileID
)

// State is where a conversation stands. The caller stores it between inputs
// (it marshals to JSON) and gives it back to Step; Step never changes the
// State it is given.
type State struct {
	FlowID   string             `json:"flow_id"`
	Version  int                `json:"version"`
	Lang     string             `json:"lang"`
	Current  string             `json:"current,omitempty"` // question being asked, "" when finished
	Answers  map[string]Value   `json:"answers,omitempty"`
	Computed map[string]float64 `json:"computed,omitempty"`
	Invalid  int                `json:"invalid,omitempty"` // re-prompts on the current question
	Pending  []string           `json:"pending,omitempty"` // multiple choice: options toggled on so far
	Fired    []string           `json:"fired,omitempty"`   // alert rules already raised
	Reuse    map[string]Value   `json:"reuse,omitempty"`   // reuse key → a recent answer to give again instead of asking
	Finished bool               `json:"finished,omitempty"`
}

// clone returns a deep copy, so Step can work on it freely.
func (s State) clone() State {
	c := s
	c.Answers = maps.Clone(s.Answers)
	if c.Answers == nil {
		c.Answers = map[string]Value{}
	}
	c.Computed = maps.Clone(s.Computed)
	if c.Computed == nil {
		c.Computed = map[string]float64{}
	}
	c.Pending = slices.Clone(s.Pending)
	c.Fired = slices.Clone(s.Fired)
	c.Reuse = maps.Clone(s.Reuse)
	return c
}

// Value is an answer.
type Value struct {
	Kind      string   `json:"kind"`
	Option    string   `json:"option,omitempty"`
	Options   []string `json:"options,omitempty"`
	Number    float64  `json:"number,omitempty"`
	Text      string   `json:"text,omitempty"`
	Date      string   `json:"date,omitempty"`
	MediaKind string   `json:"media_kind,omitempty"`
	FileID    string   `json:"file_id,omitempty"`
	// Reused marks an answer copied from a recent conversation (a question
	// with reuse_key) instead of asked again; it is never reused in turn.
	Reused bool `json:"reused,omitempty"`
}

// InputKind says what the returnee sent.
type InputKind int

// Input kinds.
const (
	InputText   InputKind = iota + 1 // a typed message
	InputButton                      // a button press (callback query)
	InputMedia                       // a sticker, photo, voice note, location, document or video
)

// Input is one thing the returnee sent.
type Input struct {
	Kind      InputKind
	Text      string
	Button    string // the payload the engine put in the button, without the bot's prefix
	MediaKind string // sticker, photo, voice, location, document, video
	FileID    string
}

// Env is what the engine needs from outside: the time (for dates), the
// emergency contacts configured for the returnee's country (lang → text), the
// texts catalog (nil: the embedded one), and at Start the returnee's latest
// answers to questions with a reuse key (reuse key → answer; see
// Catalog.ReuseSources).
type Env struct {
	Now               time.Time
	EmergencyContacts map[string]string
	Texts             *Texts
	Recent            map[string]RecentAnswer
	// RetentionMonths is how long answers are kept after the follow-up
	// ends (SUIVI_RETENTION), as the consent text says it; 0 means
	// DefaultRetentionMonths.
	RetentionMonths int
}

// DefaultRetentionMonths is the retention the consent text states when the
// caller sets none: 24 months after the follow-up ends.
const DefaultRetentionMonths = 24

// RecentAnswer is an answer the returnee gave earlier, and when.
type RecentAnswer struct {
	Value Value
	At    time.Time
}

// Result is everything one Start or Step decided; the caller commits it all in
// one transaction.
type Result struct {
	State        State
	Answers      []Answer        // newly recorded
	Computed     []ComputedValue // newly computed or changed values
	Messages     []Message       // to send, in order
	PressedEdit  string          // a press was accepted: the pressed message's new text (question and "✓ choice"), keyboard removed
	EditButtons  [][]Button      // a multiple-choice toggle: the pressed message's new keyboard, text unchanged
	CallbackText string          // to answer the callback query with ("" is fine)
	Alerts       []Alert
	Settings     map[string]string // for the caller: language, consent, window…
	Stale        bool              // a button of a question no longer asked: nothing changed
	Ignored      bool              // input the engine cannot use (malformed payload, finished flow): nothing changed
	Reason       string            // why it was ignored, for logs
	Finished     bool
}

// Answer is an answer to store.
type Answer struct {
	QuestionID string // "<qid>#media" for a photo or voice note sent instead of an answer
	Value      Value
	Score      *float64 // the option's score in [0,1], or a scale point normalised to [0,1]
	Dimension  string
	Indicator  string
}

// ComputedValue is a computed value to store.
type ComputedValue struct {
	ID    string
	Value float64
}

// Message is a message to send to the returnee.
type Message struct {
	Text    string
	Buttons [][]Button // inline keyboard rows; nil for none
}

// Button is an inline keyboard button; Payload fits in 48 bytes so the bot
// can prefix up to 16 of its own.
type Button struct {
	Text    string
	Payload string
}

// Alert is an alert for the case worker.
type Alert struct {
	RuleID      string
	Category    string // safety, wellbeing, project, help_request, lost_contact, consent_declined, opt_out, unreachable, other
	Severity    string // urgent, high, medium, low
	Message     Text   // for the case worker, in every language
	Reply       string // what was sent to the returnee, if anything
	QuestionIDs []string
	Hold        bool // routine check-ins pause until a human follows up
}
