package contacts_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"suivi/contacts"
)

func TestDefaultIsMoroccoInEveryLanguage(t *testing.T) {
	b := contacts.Default()
	if b.DefaultCountry() != "MA" {
		t.Fatalf("default country %q", b.DefaultCountry())
	}
	for _, country := range []string{"MA", "", "xx"} {
		c := b.For(country)
		for _, lang := range contacts.Languages {
			if !strings.Contains(c[lang], "19") || !strings.Contains(c[lang], "15") {
				t.Errorf("%q %s: %q lacks the police or ambulance number", country, lang, c[lang])
			}
		}
	}
	// In Arabic every number is isolated, so it reads in its own order.
	ar := b.For("MA")["ar"]
	for _, n := range []string{"19", "177", "15", "141"} {
		if !strings.Contains(ar, "\u2068"+n+"\u2069") && !strings.Contains(ar, n+"\u2069") {
			t.Errorf("Arabic contacts %q: %s not isolated", ar, n)
		}
	}
	if strings.Contains(b.For("MA")["fr"], "\u2068") {
		t.Error("French text must not carry direction marks")
	}
}

func TestLoadNamesTheFieldThatIsWrong(t *testing.T) {
	cases := map[string]string{
		"countries: {}\n": "countries",
		"countries:\n  ma: {fr: a, ar: b, en: c}\n":                           "countries.ma",
		"countries:\n  TN: {fr: a, en: c}\n":                                  "countries.TN.ar",
		"countries:\n  TN: {fr: a, ar: b, en: c, de: d}\n":                    "countries.TN.de",
		"default: SN\ncountries:\n  TN: {fr: a, ar: b, en: c}\n":              "default",
		"countries:\n  TN: {fr: a, ar: b, en: c}\nphone: 1\n":                 "phone",
		"countries:\n  TN: {fr: Police 197, ar: الشرطة 197, en: Police 197\n": "default.yaml",
	}
	dir := t.TempDir()
	for text, want := range cases {
		path := filepath.Join(dir, "default.yaml")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := contacts.Load(path)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error naming %s", text, err, want)
		}
	}
	path := filepath.Join(dir, "tn.yaml")
	os.WriteFile(path, []byte("countries:\n  TN: {fr: Police 197, ar: الشرطة 197, en: Police 197}\n"), 0o600)
	b, err := contacts.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.DefaultCountry() != "TN" || b.For("MA")["en"] != "Police 197" || b.For("TN")["ar"] != "الشرطة \u2068197\u2069" {
		t.Fatalf("loaded %q / %q", b.For("MA")["en"], b.For("TN")["ar"])
	}
}
