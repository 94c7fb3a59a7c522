package flows

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Translations are written into the definition files in place, text by
// text, so that everything else (comments, anchors, layout) stays byte for
// byte as the office wrote it.

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
