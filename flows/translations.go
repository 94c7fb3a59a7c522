package flows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Translators work on the texts of the flows and of texts.yaml in their own
// tools (PO or CSV files, made by `suivi flows texts export`). Each text has
// a stable context: the file's name without .yaml, then the path to the text
// in the file, list items named by their id (questions, alerts) or value
// (options), else by their position: "wellbeing/questions/who5_1/text",
// "onboarding/questions/language/options/fr/label", "texts/reminder". A text
// reached through a YAML alias (*who5) is the anchored one, translated once.

// TextEntry is one translatable text.
type TextEntry struct {
	Context string
	File    string
	Line    int // line of the text in the file
	Text    Text
	Lines   map[string]int // language → line of its translation
}

// textNode is a text found in a parsed file.
type textNode struct {
	ctx     string
	mapping *yaml.Node
	flow    bool                  // the text is written {fr: …, ar: …, en: …}
	keys    map[string]*yaml.Node // language → key node
	values  map[string]*yaml.Node // language → value node
}

// ExtractTexts lists every translatable text of the files (name → content),
// in file name order, then in order of appearance.
func ExtractTexts(files map[string][]byte) ([]TextEntry, error) {
	var out []TextEntry
	for _, name := range sortedNames(files) {
		nodes, err := textNodes(name, files[name])
		if err != nil {
			return nil, err
		}
		for _, n := range nodes {
			e := TextEntry{Context: n.ctx, File: name, Line: n.mapping.Line, Text: Text{}, Lines: map[string]int{}}
			for l, v := range n.values {
				e.Text[l], e.Lines[l] = v.Value, v.Line
			}
			out = append(out, e)
		}
	}
	return out, nil
}

func sortedNames(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func textNodes(name string, data []byte) ([]textNode, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	var out []textNode
	walkTexts(doc.Content[0], strings.TrimSuffix(name, ".yaml"), false, &out)
	return out, nil
}

func walkTexts(n *yaml.Node, path string, flow bool, out *[]textNode) {
	switch n.Kind {
	case yaml.MappingNode:
		if t, ok := asTextNode(n, path); ok {
			*out = append(*out, t)
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			walkTexts(n.Content[i+1], path+"/"+n.Content[i].Value, n.Style&yaml.FlowStyle != 0, out)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			walkTexts(item, path+"/"+itemName(item, i), n.Style&yaml.FlowStyle != 0, out)
		}
	}
}

// asTextNode recognises a text: a mapping of languages to single values.
func asTextNode(n *yaml.Node, path string) (textNode, bool) {
	t := textNode{ctx: path, mapping: n, flow: n.Style&yaml.FlowStyle != 0, keys: map[string]*yaml.Node{}, values: map[string]*yaml.Node{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(languages[:], k.Value) || v.Kind != yaml.ScalarNode {
			return t, false
		}
		t.keys[k.Value], t.values[k.Value] = k, v
	}
	return t, len(t.values) > 0
}

// itemName names a list item by its id or value, else its position.
func itemName(n *yaml.Node, i int) string {
	if n.Kind == yaml.MappingNode {
		for _, field := range []string{"id", "value"} {
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == field && n.Content[j+1].Kind == yaml.ScalarNode {
					return n.Content[j+1].Value
				}
			}
		}
	}
	return strconv.Itoa(i)
}

// ApplyTranslations writes the texts of lang given by context into the
// files and returns the files it changed. A text whose translation is
// already the same is left byte for byte as it was; a context no file has
// is an error. The caller lints the result before writing anything.
func ApplyTranslations(files map[string][]byte, lang string, tr map[string]string) (map[string][]byte, error) {
	if !SupportedLanguage(lang) {
		return nil, fmt.Errorf("language %q: expected fr, ar or en", lang)
	}
	found := map[string]bool{}
	changed := map[string][]byte{}
	for _, name := range sortedNames(files) {
		nodes, err := textNodes(name, files[name])
		if err != nil {
			return nil, err
		}
		data := files[name]
		var edits []edit
		for _, n := range nodes {
			s, ok := tr[n.ctx]
			if !ok {
				continue
			}
			found[n.ctx] = true
			v := n.values[lang]
			if v == nil {
				return nil, fmt.Errorf("%s:%d: %s has no %s text to replace", name, n.mapping.Line, n.ctx, lang)
			}
			if v.Value == s {
				continue
			}
			e, err := replaceScalar(data, n.keys[lang], v, n.flow, s)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %s: %w", name, v.Line, n.ctx, err)
			}
			edits = append(edits, e)
		}
		if len(edits) == 0 {
			continue
		}
		slices.SortFunc(edits, func(a, b edit) int { return b.start - a.start })
		out := slices.Clone(data)
		for _, e := range edits {
			out = slices.Concat(out[:e.start], []byte(e.text), out[e.end:])
		}
		changed[name] = out
	}
	var unknown []string
	for ctx := range tr {
		if !found[ctx] {
			unknown = append(unknown, ctx)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, fmt.Errorf("no such text in the flows: %s", strings.Join(unknown, ", "))
	}
	return changed, nil
}

// Placeholders returns the {placeholders} and %-verbs a text uses, sorted:
// a translation must keep them all.
func Placeholders(s string) []string {
	ps := append(placeholderSet(s), verb.FindAllString(s, -1)...)
	slices.Sort(ps)
	return ps
}
