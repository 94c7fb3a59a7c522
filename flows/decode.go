package flows

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// decoder fills Go values from a YAML node tree strictly: an unknown or
// repeated field, a wrong kind of value or a text without all its languages
// becomes a Problem with its line, and decoding goes on so that one run of the
// lint reports everything.
type decoder struct {
	file     string
	problems []Problem
}

var (
	textType = reflect.TypeFor[Text]()
	exprType = reflect.TypeFor[Expr]()
	yamlLine = regexp.MustCompile(`line (\d+)`)
)

func (d *decoder) add(line int, msg, fix string) {
	d.problems = append(d.problems, Problem{File: d.file, Line: line, Message: msg, Fix: fix})
}

// parseYAML parses data into its document node, reporting bad YAML with the
// line the parser names.
func (d *decoder) parseYAML(data []byte) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := badLine(data)
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil && line == 0 {
			line, _ = strconv.Atoi(m[1])
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = yamlLine.ReplaceAllString(msg, "")
		msg = strings.Trim(msg, " :")
		d.add(line, "bad YAML: "+msg, `check indentation and colons around this line, and put in "quotes" any text with : ? # { } [ ] or a leading quote`)
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		d.add(1, "empty file", "write the definition, starting with id: and version:")
		return nil
	}
	return doc.Content[0]
}

// badLine finds the first line at which the YAML stops parsing, by parsing
// longer and longer beginnings of the file: the parser's own line is often
// where the enclosing block started, not the line to fix.
func badLine(data []byte) int {
	lines := strings.SplitAfter(string(data), "\n")
	var prefix strings.Builder
	for i, l := range lines {
		prefix.WriteString(l)
		var n yaml.Node
		if yaml.Unmarshal([]byte(prefix.String()), &n) != nil {
			return i + 1
		}
	}
	return 0
}

// decode fills v (settable) from n.
func (d *decoder) decode(n *yaml.Node, v reflect.Value) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if v.Kind() == reflect.Pointer {
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return
		}
		p := reflect.New(v.Type().Elem())
		d.decode(n, p.Elem())
		v.Set(p)
		return
	}
	switch {
	case v.Type() == exprType:
		if n.Kind != yaml.ScalarNode || n.Value == "" {
			d.add(n.Line, "a condition must be a line of text", `write it like: status == "closed"`)
			return
		}
		v.Set(reflect.ValueOf(Expr{Src: n.Value, Line: n.Line}))
	case v.Type() == textType:
		d.decodeText(n, v)
	case v.Kind() == reflect.Struct:
		d.decodeStruct(n, v)
	case v.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.add(n.Line, "expected a list", "start each item with '- ' or write [a, b]")
			return
		}
		s := reflect.MakeSlice(v.Type(), 0, len(n.Content))
		for _, c := range n.Content {
			e := reflect.New(v.Type().Elem()).Elem()
			d.decode(c, e)
			if e.Kind() == reflect.Pointer && e.IsNil() {
				d.add(c.Line, "empty list item", "remove the lone '-' or fill it in")
				continue
			}
			s = reflect.Append(s, e)
		}
		v.Set(s)
	case v.Kind() == reflect.Map:
		d.decodeMap(n, v)
	default:
		d.decodeScalar(n, v)
	}
}

func (d *decoder) decodeScalar(n *yaml.Node, v reflect.Value) {
	if n.Kind != yaml.ScalarNode {
		d.add(n.Line, "expected a single value, not a list or a mapping", "")
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(n.Value)
	case reflect.Int:
		i, err := strconv.Atoi(n.Value)
		if err != nil {
			d.add(n.Line, fmt.Sprintf("%q is not a whole number", n.Value), "write digits only, like 3")
			return
		}
		v.SetInt(int64(i))
	case reflect.Float64:
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil {
			d.add(n.Line, fmt.Sprintf("%q is not a number", n.Value), "write a number like 0.5 (dot for decimals)")
			return
		}
		v.SetFloat(f)
	case reflect.Bool:
		switch strings.ToLower(n.Value) {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			d.add(n.Line, fmt.Sprintf("%q is not true or false", n.Value), "write true or false")
		}
	default:
		panic("flows: cannot decode into " + v.Type().String())
	}
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.add(n.Line, "expected a mapping (key: value lines)", "")
		return
	}
	m := reflect.MakeMap(v.Type())
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if first, dup := seen[k.Value]; dup {
			d.add(k.Line, fmt.Sprintf("%q is given twice (first on line %d)", k.Value, first), "keep one")
			continue
		}
		seen[k.Value] = k.Line
		e := reflect.New(v.Type().Elem()).Elem()
		d.decode(val, e)
		m.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), e)
	}
	v.Set(m)
}

// decodeText reads a Text and checks that fr, ar and en are all there.
func (d *decoder) decodeText(n *yaml.Node, v reflect.Value) {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		d.add(n.Line, "missing translation: a text needs fr, ar and en", "write it as\n  fr: …\n  ar: …\n  en: …")
		return
	}
	d.decodeMap(n, v)
	t, _ := v.Interface().(Text)
	if missing := missingLanguages(t); len(missing) > 0 {
		d.add(n.Line, "missing translation: no "+strings.Join(missing, ", "), "add "+strings.Join(missing, ": …, ")+": …")
	}
	d.checkPlaceholders(n, t)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, v := n.Content[i], n.Content[i+1]; k.Value == "ar" {
			if p := checkBidi(v.Value); p != "" {
				d.add(v.Line, "Arabic text: "+p, `wrap numbers and Latin words in "\u2068…\u2069" (first-strong isolate … pop directional isolate)`)
			}
		}
	}
}

// missingLanguages lists the languages t lacks or leaves empty.
func missingLanguages(t Text) []string {
	var missing []string
	for _, l := range languages {
		if strings.TrimSpace(t[l]) == "" {
			missing = append(missing, l)
		}
	}
	return missing
}

// decodeStruct fills the struct's fields from a mapping by their yaml tags,
// refusing unknown and repeated fields, and records the mapping's line in a
// field named Line.
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.add(n.Line, "expected a mapping (key: value lines)", "")
		return
	}
	t := v.Type()
	fields := map[string]int{}
	var names []string
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("yaml")
		if tag == "" || tag == "-" {
			continue
		}
		fields[tag] = i
		names = append(names, tag)
	}
	if f := v.FieldByName("Line"); f.IsValid() && f.Kind() == reflect.Int {
		f.SetInt(int64(n.Line))
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		idx, ok := fields[k.Value]
		if !ok {
			sort.Strings(names)
			d.add(k.Line, fmt.Sprintf("unknown field %q", k.Value), "known fields here: "+strings.Join(names, ", "))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.add(k.Line, fmt.Sprintf("field %q is given twice (first on line %d)", k.Value, first), "keep one")
			continue
		}
		seen[k.Value] = k.Line
		d.decode(val, v.Field(idx))
	}
}

var placeholderPattern = regexp.MustCompile(`\{[^{}\s]*\}`)

// checkPlaceholders checks that every language of a text uses the same
// {placeholders}, each one the engine knows: a translation that drops
// {emergency_contacts} would leave a returnee in danger without numbers.
func (d *decoder) checkPlaceholders(n *yaml.Node, t Text) {
	want := placeholderSet(t["fr"])
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		got := placeholderSet(v.Value)
		for _, p := range got {
			if !slices.Contains(placeholders, p) {
				d.add(v.Line, fmt.Sprintf("unknown placeholder %s in the %s text", p, k.Value), "use only "+strings.Join(placeholders, ", ")+", written exactly so")
			}
		}
		if k.Value != "fr" && slices.Contains(languages[:], k.Value) && !slices.Equal(got, want) {
			d.add(v.Line, fmt.Sprintf("the %s text has placeholders %v, fr has %v", k.Value, got, want),
				"keep every {placeholder} of the French text, untranslated, in every language")
		}
	}
}

func placeholderSet(s string) []string {
	ps := placeholderPattern.FindAllString(s, -1)
	slices.Sort(ps)
	return slices.Compact(ps)
}
