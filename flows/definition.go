// Package flows holds Suivi's conversations as data: the flow definitions (YAML
// files embedded in the binary, optionally overridden from a directory), their
// lint, the condition language they use, and a pure engine that turns a state
// and an input into a new state, answers, messages and alerts. It does no I/O
// and imports nothing else of the project, so the bot, the scheduler and the
// reports can all rely on it.
package flows

import (
	"slices"
	"strings"
	"time"
)

// languages are the languages every text must have, in fallback order.
var languages = [...]string{"fr", "ar", "en"}

// SupportedLanguage reports whether lang is one of fr, ar, en.
func SupportedLanguage(lang string) bool {
	return slices.Contains(languages[:], lang)
}

// normLang returns the supported language lang names ("ar", "ar-MA" and
// "AR" are Arabic), else French, the programme's default.
func normLang(lang string) string {
	lang = strings.ToLower(lang)
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	if SupportedLanguage(lang) {
		return lang
	}
	return "fr"
}

// Text is a text in several languages, keyed by language code.
type Text map[string]string

// In returns the text in lang, falling back to French, then English, then
// anything there is, so a returnee never gets an empty message.
func (t Text) In(lang string) string {
	for _, l := range []string{lang, "fr", "en"} {
		if s := t[l]; s != "" {
			return s
		}
	}
	for _, l := range languages {
		if s := t[l]; s != "" {
			return s
		}
	}
	return ""
}

// Question types.
const (
	TypeSingle   = "single"   // one option, buttons
	TypeMultiple = "multiple" // several options, toggle buttons and "done"
	TypeYesNo    = "yesno"    // options yes and no
	TypeScale    = "scale"    // whole numbers min..max, one button each
	TypeNumber   = "number"   // a typed number with optional unit and bounds
	TypeText     = "text"     // free text up to max_length characters
	TypeDate     = "date"     // a typed date
)

var questionTypes = []string{TypeSingle, TypeMultiple, TypeYesNo, TypeScale, TypeNumber, TypeText, TypeDate}

// Alert categories and severities a rule may use; the case worker's tools and
// the reports know these and no others.
var (
	alertCategories = []string{"safety", "wellbeing", "project", "help_request", "lost_contact",
		"consent_declined", "opt_out", "unreachable", "other"}
	alertSeverities = []string{"urgent", "high", "medium", "low"}
)

// Definition is one version of one flow, as read from its file. Definitions are
// immutable once loaded and safe to share between goroutines.
type Definition struct {
	ID        string         `yaml:"id"`
	Version   int            `yaml:"version"`
	Title     Text           `yaml:"title"`
	Schedule  Schedule       `yaml:"schedule"`
	Intro     Text           `yaml:"intro"`
	Questions []*Question    `yaml:"questions"`
	Computed  []*Formula     `yaml:"computed"`
	Scoring   *Scoring       `yaml:"scoring"`
	Alerts    []*AlertRule   `yaml:"alerts"`
	Endings   []*Ending      `yaml:"end"`
	File      string         `yaml:"-"` // file it was read from
	byID      map[string]int // question id → index in Questions
}

// Schedule says when the scheduler opens this flow: Trigger "enrolment" (once,
// right after the invitation is used), "return" (Months after the return
// date) or "manual" (only when staff start it).
type Schedule struct {
	Trigger string `yaml:"trigger"`
	Months  []int  `yaml:"months"`
}

// Question is one step of a flow.
type Question struct {
	ID           string            `yaml:"id"`
	Type         string            `yaml:"type"`
	Text         Text              `yaml:"text"`
	AllLanguages bool              `yaml:"all_languages"` // show every language at once (before the language is known)
	Options      []*Option         `yaml:"options"`
	Skippable    *bool             `yaml:"skippable"` // nil means true: "prefer not to answer" is offered
	Min          *float64          `yaml:"min"`
	Max          *float64          `yaml:"max"`
	Integer      bool              `yaml:"integer"`
	Unit         Text              `yaml:"unit"`
	MaxLength    int               `yaml:"max_length"`
	Labels       map[string]Text   `yaml:"labels"` // scale: labels of some points, keyed by the number
	AskIf        *Expr             `yaml:"ask_if"`
	Next         []*NextRule       `yaml:"next"`
	Setting      string            `yaml:"setting"` // the chosen option value becomes Result.Settings[Setting]
	Dimension    string            `yaml:"dimension"`
	Indicator    string            `yaml:"indicator"`
	Weight       *float64          `yaml:"weight"`       // weight within its dimension, default 1
	FreeText     bool              `yaml:"free_text"`    // a choice question also takes a typed answer that names no option, kept as text
	ReuseKey     string            `yaml:"reuse_key"`    // questions of any flow with the same key ask the same thing
	ReuseWithin  string            `yaml:"reuse_within"` // an answer to the same key this recent ("14d") is given again instead of asking
	ReuseAs      map[string]string `yaml:"reuse_as"`     // only hands its answers on, as these values of the key's questions; others are not handed on
	Line         int               `yaml:"-"`

	reuseWithin time.Duration
}

// CanSkip reports whether the question offers "prefer not to answer".
func (q *Question) CanSkip() bool { return q.Skippable == nil || *q.Skippable }

// choice reports whether the question is answered with buttons.
func (q *Question) choice() bool {
	switch q.Type {
	case TypeSingle, TypeMultiple, TypeYesNo, TypeScale:
		return true
	}
	return false
}

// option returns the option with the given value.
func (q *Question) option(value string) *Option {
	for _, o := range q.Options {
		if o.Value == value {
			return o
		}
	}
	return nil
}

// Option is one answer of a choice question. For yes/no and scale questions
// the options are generated when the definition is loaded.
type Option struct {
	Value     string            `yaml:"value"`
	Label     Text              `yaml:"label"` // empty for yes/no: the texts catalog's yes and no
	Score     *float64          `yaml:"score"` // in [0,1], feeds the question's dimension or indicator
	Set       map[string]string `yaml:"set"`   // settings to hand to the caller when chosen
	Exclusive bool              `yaml:"exclusive"`
	Line      int               `yaml:"-"`
}

// NextRule sends the conversation to Goto (a question id or "end") when If
// holds; a rule without If always applies. Rules are tried in order; when none
// applies the next question in the file follows.
type NextRule struct {
	If   *Expr  `yaml:"if"`
	Goto string `yaml:"goto"`
	Line int    `yaml:"-"`
}

// Formula is a computed value: recomputed after every answer, in file order,
// and usable by later formulas, conditions and alerts. A boolean expression
// gives 1 or 0.
type Formula struct {
	ID   string `yaml:"id"`
	Expr *Expr  `yaml:"expr"`
	Line int    `yaml:"-"`
}

// Scoring turns option scores into dimension scores (weighted mean of the
// answered items of the dimension), a composite (weighted mean of the
// dimensions, computed value "composite") and, with a threshold, "sustainable"
// (1 when composite >= threshold, else 0).
type Scoring struct {
	Dimensions []*Dimension `yaml:"dimensions"`
	Threshold  *float64     `yaml:"threshold"`
	Line       int          `yaml:"-"`
}

// Dimension is a group of scored questions, a computed value of its own.
type Dimension struct {
	ID     string   `yaml:"id"`
	Weight *float64 `yaml:"weight"` // weight in the composite, default 1
	Title  Text     `yaml:"title"`
	Line   int      `yaml:"-"`
}

// AlertRule raises an alert for the case worker when When holds, at most once
// per conversation.
type AlertRule struct {
	ID       string `yaml:"id"`
	When     *Expr  `yaml:"when"`
	Category string `yaml:"category"`
	Severity string `yaml:"severity"`
	Message  Text   `yaml:"message"` // for the case worker
	Reply    Text   `yaml:"reply"`   // sent at once to the returnee; may use {emergency_contacts}
	Hold     bool   `yaml:"hold"`    // routine check-ins pause until a human follows up
	Line     int    `yaml:"-"`

	questions []string // the questions When depends on, through formulas and dimensions
}

// Ending is a closing message; the first whose If holds (or has no If) is sent
// when the flow finishes.
type Ending struct {
	If   *Expr `yaml:"if"`
	Text Text  `yaml:"text"`
	Line int   `yaml:"-"`
}

// Question returns the question with the given id.
func (d *Definition) Question(id string) (*Question, bool) {
	i, ok := d.byID[id]
	if !ok {
		return nil, false
	}
	return d.Questions[i], true
}

// weight returns *w or 1.
func weight(w *float64) float64 {
	if w == nil {
		return 1
	}
	return *w
}
