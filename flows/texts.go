package flows

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// TextsFile is the name of the texts catalog among the definitions.
const TextsFile = "texts.yaml"

// Texts is the catalog of the bot's own messages (help, pause, stop, re-prompts…)
// in every language. It is immutable once loaded.
type Texts struct {
	m map[string]Text
}

// RequiredTexts are the keys the bot and the engine use; the embedded catalog
// has them all, an override may replace some.
var RequiredTexts = []string{
	"staff_help", "unknown_user", "invitation_invalid", "welcome_back", "help", "help_button", "help_requested",
	"language_prompt", "language_set", "pause_prompt", "pause_weeks_1", "pause_weeks_2",
	"pause_weeks_4", "pause_weeks_8", "paused", "resumed", "stop_confirm", "stop_button_yes",
	"stop_button_no", "stopped", "stop_cancelled", "mydata_header", "mydata_checkins", "mydata_alerts", "delete_confirm", "delete_button_yes", "delete_button_no",
	"deleted", "delete_cancelled", "question_closed", "not_understood", "reminder",
	"checkin_expired", "checkin_busy", "safety_hold", "declined_no_more", "cmd_start", "cmd_help",
	"cmd_language", "cmd_pause", "cmd_stop", "cmd_mydata", "cmd_delete", "prefer_not",
	"done_button", "yes", "no", "multiple_hint", "choice_recorded", "reprompt_number",
	"reprompt_number_min", "reprompt_number_max", "reprompt_number_any", "reprompt_integer",
	"reprompt_text_too_long", "reprompt_text", "reprompt_choice", "reprompt_multiple_empty",
	"reprompt_media", "media_kept", "reprompt_date", "emergency_contacts_fallback",
	"media_sticker", "media_photo", "media_voice", "media_location", "media_document",
	"media_video", "media_other", "language_name", "staff_welcome", "alert_lost_contact",
	"alert_unreachable", "alert_opt_out", "alert_help_request", "alert_undeliverable", "alert_legacy",
	"alert_flow_rule_missing", "minutes_one", "minutes_two", "minutes_few", "minutes_many",
}

var embeddedTexts = sync.OnceValue(func() *Texts {
	data, err := embedded.ReadFile("definitions/" + TextsFile)
	if err != nil {
		panic("flows: embedded texts: " + err.Error())
	}
	t, problems := parseTexts(TextsFile, data)
	if len(problems) > 0 {
		panic("flows: embedded texts: " + problems[0].String())
	}
	return t
})

// DefaultTexts returns the embedded texts catalog.
func DefaultTexts() *Texts { return embeddedTexts() }

// Get returns the text for key in lang (falling back to French, then English),
// formatted with args as by fmt.Sprintf. An unknown key gives the key itself,
// so a gap shows instead of an empty message.
func (t *Texts) Get(lang, key string, args ...any) string {
	if t == nil {
		t = embeddedTexts()
	}
	s := t.m[key].In(lang)
	if s == "" {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Has reports whether the catalog has key.
func (t *Texts) Has(key string) bool { _, ok := t.m[key]; return ok }

// Keys returns the catalog's keys, sorted.
func (t *Texts) Keys() []string {
	keys := make([]string, 0, len(t.m))
	for k := range t.m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// With returns a catalog where the keys of o replace those of t.
func (t *Texts) With(o *Texts) *Texts {
	m := make(map[string]Text, len(t.m))
	for k, v := range t.m {
		m[k] = v
	}
	if o != nil {
		for k, v := range o.m {
			m[k] = v
		}
	}
	return &Texts{m: m}
}

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// parseTexts reads a texts catalog: a mapping of keys to texts in fr, ar and
// en, where every language uses the same format verbs.
func parseTexts(file string, data []byte) (*Texts, []Problem) {
	d := &decoder{file: file}
	root := d.parseYAML(data)
	if root == nil {
		return nil, d.problems
	}
	m := map[string]Text{}
	d.decode(root, reflect.ValueOf(&m).Elem())
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		t := m[k.Value]
		want := verbs(t["fr"])
		for _, l := range languages[1:] {
			if got := verbs(t[l]); t[l] != "" && got != want {
				d.add(k.Line, fmt.Sprintf("%s: %s has placeholders %q, fr has %q", k.Value, l, got, want),
					"use the same %s/%d placeholders in every language")
			}
		}
	}
	return &Texts{m: m}, d.problems
}

func verbs(s string) string {
	vs := verb.FindAllString(s, -1)
	slices.Sort(vs)
	return strings.Join(vs, " ")
}
