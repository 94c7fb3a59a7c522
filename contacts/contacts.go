// Package contacts holds the emergency contacts Suivi gives at once to a
// returnee whose answer signals danger: per country of return and language,
// from a YAML file an operator can edit (SUIVI_CONTACTS_FILE), with
// Morocco's numbers embedded as the default.
package contacts

import (
	_ "embed"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed default.yaml
var defaultFile []byte

// Languages every country's contacts must be written in.
var Languages = []string{"fr", "ar", "en"}

// Book is the contacts of every configured country.
type Book struct {
	defaultCountry string
	countries      map[string]map[string]string // country → language → text
}

type file struct {
	Default   string                       `yaml:"default"`
	Countries map[string]map[string]string `yaml:"countries"`
}

var countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)

// Default is the embedded book (Morocco).
func Default() *Book {
	b, err := parse("default.yaml", defaultFile)
	if err != nil {
		panic(err) // the embedded file is checked by the tests
	}
	return b
}

// Load reads a contacts file; every problem names the file and the field.
func Load(path string) (*Book, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("contacts file: %w", err)
	}
	return parse(path, data)
}

func parse(name string, data []byte) (*Book, error) {
	var f file
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(f.Countries) == 0 {
		return nil, fmt.Errorf("%s: countries: at least one country is needed, like MA: {fr: …, ar: …, en: …}", name)
	}
	codes := make([]string, 0, len(f.Countries))
	for code := range f.Countries {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		if !countryPattern.MatchString(code) {
			return nil, fmt.Errorf("%s: countries.%s: expected a two-letter country code in capitals, like MA", name, code)
		}
		for _, lang := range Languages {
			if strings.TrimSpace(f.Countries[code][lang]) == "" {
				return nil, fmt.Errorf("%s: countries.%s.%s: the contacts in this language are missing", name, code, lang)
			}
		}
		for lang := range f.Countries[code] {
			if !isLanguage(lang) {
				return nil, fmt.Errorf("%s: countries.%s.%s: unknown language; expected %s", name, code, lang, strings.Join(Languages, ", "))
			}
		}
	}
	if f.Default == "" {
		f.Default = codes[0]
	}
	if _, ok := f.Countries[f.Default]; !ok {
		return nil, fmt.Errorf("%s: default: %q is not one of the countries (%s)", name, f.Default, strings.Join(codes, ", "))
	}
	b := &Book{defaultCountry: f.Default, countries: map[string]map[string]string{}}
	for code, texts := range f.Countries {
		b.countries[code] = map[string]string{}
		for lang, text := range texts {
			text = strings.TrimSpace(text)
			if lang == "ar" {
				text = isolateLatin(text)
			}
			b.countries[code][lang] = text
		}
	}
	return b, nil
}

func isLanguage(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// For returns the contacts of a country in every language; an unknown or
// empty country gets the default country's.
func (b *Book) For(country string) map[string]string {
	texts, ok := b.countries[strings.ToUpper(strings.TrimSpace(country))]
	if !ok {
		texts = b.countries[b.defaultCountry]
	}
	out := make(map[string]string, len(texts))
	for lang, text := range texts {
		out[lang] = text
	}
	return out
}

// DefaultCountry is the country used when a returnee's is unknown.
func (b *Book) DefaultCountry() string { return b.defaultCountry }

// latinRun is a run of digits and Latin letters (with the spaces, dots,
// dashes, plus signs and brackets inside a phone number or a name).
var latinRun = regexp.MustCompile(`[0-9A-Za-z+(][0-9A-Za-z+() .\-]*[0-9A-Za-z)]|[0-9A-Za-z]`)

// isolateLatin wraps each number or Latin fragment of an Arabic text in
// first-strong isolates, so a phone number keeps its order on the screen.
func isolateLatin(s string) string {
	return latinRun.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(m, "\u2068") {
			return m
		}
		return "\u2068" + m + "\u2069"
	})
}
