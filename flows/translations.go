package flows

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

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

// edit replaces data[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// offset is the byte offset of a node's line and column (columns count
// characters).
func offset(data []byte, line, col int) (int, error) {
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return 0, fmt.Errorf("line %d is past the end", line)
		}
		off += i + 1
	}
	for c := 1; c < col; c++ {
		_, size := utf8.DecodeRune(data[off:])
		if size == 0 || data[off] == '\n' {
			return 0, fmt.Errorf("column %d is past the end of line %d", col, line)
		}
		off += size
	}
	return off, nil
}

// replaceScalar finds the source of value node v (key k) and writes s in its
// place: a literal block stays a literal block when s can be one, anything
// else becomes a double-quoted string.
func replaceScalar(data []byte, k, v *yaml.Node, flow bool, s string) (edit, error) {
	start, err := offset(data, v.Line, v.Column)
	if err != nil {
		return edit{}, err
	}
	end := start
	switch v.Style {
	case yaml.DoubleQuotedStyle:
		end = start + 1
		for end < len(data) && data[end] != '"' {
			if data[end] == '\\' {
				end++
			}
			end++
		}
		end++
	case yaml.SingleQuotedStyle:
		end = start + 1
		for end < len(data) && (data[end] != '\'' || end+1 < len(data) && data[end+1] == '\'') {
			if data[end] == '\'' {
				end++
			}
			end++
		}
		end++
	case yaml.LiteralStyle, yaml.FoldedStyle:
		end = blockEnd(data, start, k.Column-1)
		if indent, ok := literalIndent(data, start); ok && literalSafe(s) {
			lines := strings.Split(s, "\n")
			for i, l := range lines {
				if l != "" {
					lines[i] = strings.Repeat(" ", indent) + l
				}
			}
			return edit{start, end, "|-\n" + strings.Join(lines, "\n")}, nil
		}
	default: // plain
		for end < len(data) && data[end] != '\n' && !(flow && (data[end] == ',' || data[end] == '}' || data[end] == ']')) &&
			!(data[end] == '#' && end > start && data[end-1] == ' ') {
			end++
		}
		for end > start && (data[end-1] == ' ' || data[end-1] == '\t') {
			end--
		}
	}
	if end > len(data) || end <= start {
		return edit{}, fmt.Errorf("cannot find the end of the text")
	}
	return edit{start, end, quoteYAML(s)}, nil
}

// blockEnd is the end of a literal block starting at its indicator: the
// last line indented deeper than its key.
func blockEnd(data []byte, start, keyIndent int) int {
	end := bytes.IndexByte(data[start:], '\n')
	if end < 0 {
		return len(data)
	}
	end += start
	for pos := end + 1; pos < len(data); {
		nl := bytes.IndexByte(data[pos:], '\n')
		lineEnd := len(data)
		if nl >= 0 {
			lineEnd = pos + nl
		}
		line := data[pos:lineEnd]
		trimmed := bytes.TrimLeft(line, " ")
		if len(trimmed) > 0 {
			if len(line)-len(trimmed) <= keyIndent {
				break
			}
			end = lineEnd
		}
		if nl < 0 {
			break
		}
		pos = lineEnd + 1
	}
	return end
}

// literalIndent is the indentation of a literal block's first line.
func literalIndent(data []byte, start int) (int, bool) {
	nl := bytes.IndexByte(data[start:], '\n')
	if nl < 0 {
		return 0, false
	}
	line := data[start+nl+1:]
	n := 0
	for n < len(line) && line[n] == ' ' {
		n++
	}
	return n, n > 0
}

// literalSafe reports whether s reads back the same from a |- block.
func literalSafe(s string) bool {
	if s == "" || strings.HasPrefix(s, " ") || strings.HasSuffix(s, "\n") {
		return false
	}
	for _, l := range strings.Split(s, "\n") {
		if strings.HasSuffix(l, " ") || strings.HasSuffix(l, "\t") {
			return false
		}
	}
	for _, r := range s {
		if r != '\n' && (r < 0x20 || r == 0x7f || r == 0xfeff) {
			return false
		}
	}
	return true
}

// quoteYAML writes s as a double-quoted YAML string, with the direction
// isolates written \u2068 and \u2069 as the definitions write them.
func quoteYAML(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || r >= 0x2066 && r <= 0x2069 || r >= 0x200e && r <= 0x200f || r == 0xfeff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Placeholders returns the {placeholders} and %-verbs a text uses, sorted:
// a translation must keep them all.
func Placeholders(s string) []string {
	ps := append(placeholderSet(s), verb.FindAllString(s, -1)...)
	slices.Sort(ps)
	return ps
}
