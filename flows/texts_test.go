package flows

import (
	"strings"
	"testing"
)

func TestTextsCatalog(t *testing.T) {
	texts := DefaultTexts()
	for _, k := range RequiredTexts {
		if !texts.Has(k) {
			t.Errorf("texts.yaml lacks %s", k)
		}
		for _, lang := range langs {
			if texts.m[k][lang] == "" {
				t.Errorf("%s has no %s", k, lang)
			}
		}
	}
	tests := []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"fr", "help_button", nil, "Parler à mon conseiller"},
		{"ar", "help_button", nil, "التحدث مع المكلّف بمتابعتي"},
		{"en", "help_button", nil, "Talk to my case worker"},
		{"de", "help_button", nil, "Parler à mon conseiller"}, // falls back to French
		{"", "yes", nil, "Oui"},
		{"en", "paused", []any{"2026-06-01"}, "Noted. I'll write to you again from 2026-06-01. Take care!"},
		{"en", "mydata_checkins", []any{3, 2}, "Check-ins: 3 sent, 2 answered"},
		{"en", "no_such_key", nil, "no_such_key"},
	}
	for _, tt := range tests {
		if got := texts.Get(tt.lang, tt.key, tt.args...); got != tt.want {
			t.Errorf("Get(%s, %s) = %q, want %q", tt.lang, tt.key, got, tt.want)
		}
	}
	var nilTexts *Texts
	if got := nilTexts.Get("en", "yes"); got != "Yes" {
		t.Errorf("nil catalog Get = %q", got)
	}
	if keys := texts.Keys(); len(keys) < len(RequiredTexts) || !strings.HasPrefix(keys[0], "a") {
		t.Errorf("Keys() = %v", keys)
	}
}

func TestTextFallback(t *testing.T) {
	tests := []struct {
		text Text
		lang string
		want string
	}{
		{Text{"fr": "a", "ar": "ب", "en": "c"}, "ar", "ب"},
		{Text{"fr": "a", "en": "c"}, "ar", "a"},
		{Text{"en": "c"}, "ar", "c"},
		{Text{"ar": "ب"}, "en", "ب"},
		{nil, "fr", ""},
	}
	for _, tt := range tests {
		if got := tt.text.In(tt.lang); got != tt.want {
			t.Errorf("%v.In(%s) = %q, want %q", tt.text, tt.lang, got, tt.want)
		}
	}
}

func TestCheckBidi(t *testing.T) {
	tests := []struct {
		s    string
		want bool // true: a problem
	}{
		{"مرحبًا", false},
		{"مرحبًا \u2068Suivi\u2069", false},
		{"اكتب \u2068/help\u2069", false},
		{"رقم %s و%d", false},
		{"اتصل بـ: {emergency_contacts}.", false},
		{"من \u2068%[1]s\u2069 إلى %[2]s", false},
		{"١٥٠٠ درهم", false}, // Arabic-Indic digits are at home in Arabic text
		{"مرحبًا Suivi", true},
		{"اكتب /help", true},
		{"مثلًا 1500", true},
		{"café مقهى", true},
	}
	for _, tt := range tests {
		if got := checkBidi(tt.s) != ""; got != tt.want {
			t.Errorf("checkBidi(%q) = %q, want problem=%v", tt.s, checkBidi(tt.s), tt.want)
		}
	}
}
