package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// validParseMode reports whether Telegram knows parse_mode (case-insensitive).
func validParseMode(mode string) bool {
	switch strings.ToLower(mode) {
	case "", "html", "markdown", "markdownv2":
		return true
	}
	return false
}

// plainText returns text as the user sees it once parse_mode markup is
// applied, or the reason Telegram gives for "can't parse entities". The
// parsers follow Telegram's (tdlib's) rules closely enough to catch the usual
// mistakes: unescaped '<' or unknown tags in HTML, unbalanced '_' or '*' in
// Markdown, unescaped reserved characters in MarkdownV2.
func plainText(text, parseMode string) (string, string) {
	switch strings.ToLower(parseMode) {
	case "html":
		return parseHTML(text)
	case "markdown":
		return parseMarkdown(text)
	case "markdownv2":
		return parseMarkdownV2(text)
	}
	return text, ""
}

var htmlTags = map[string]bool{
	"a": true, "b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true, "tg-emoji": true,
	"code": true, "pre": true, "blockquote": true,
}

func parseHTML(text string) (string, string) {
	var out strings.Builder
	var open []string
	for i := 0; i < len(text); {
		switch text[i] {
		case '&':
			s, n := htmlEntity(text[i:])
			if n == 0 {
				out.WriteByte('&')
				i++
				continue
			}
			out.WriteString(s)
			i += n
		case '<':
			end := strings.IndexByte(text[i:], '>')
			if end < 0 {
				return "", fmt.Sprintf("Unclosed start tag at byte offset %d", i)
			}
			tag := text[i+1 : i+end]
			if rest, ok := strings.CutPrefix(tag, "/"); ok {
				name := strings.ToLower(strings.TrimSpace(rest))
				if len(open) == 0 {
					return "", fmt.Sprintf("Unexpected end tag at byte offset %d", i)
				}
				if top := open[len(open)-1]; name != top {
					return "", fmt.Sprintf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, top, name)
				}
				open = open[:len(open)-1]
			} else {
				name, _, _ := strings.Cut(tag, " ")
				name = strings.ToLower(name)
				if !htmlTags[name] {
					return "", fmt.Sprintf("Unsupported start tag \"%s\" at byte offset %d", name, i)
				}
				open = append(open, name)
			}
			i += end + 1
		default:
			out.WriteByte(text[i])
			i++
		}
	}
	if len(open) > 0 {
		return "", fmt.Sprintf("Can't find end tag corresponding to start tag \"%s\"", open[len(open)-1])
	}
	return out.String(), ""
}

// htmlEntity decodes the character entity at the start of s; n is 0 when
// there is none, and Telegram then keeps the '&' as is.
func htmlEntity(s string) (string, int) {
	semi := strings.IndexByte(s, ';')
	if semi < 2 || semi > 10 {
		return "", 0
	}
	name := s[1:semi]
	switch name {
	case "lt":
		return "<", semi + 1
	case "gt":
		return ">", semi + 1
	case "amp":
		return "&", semi + 1
	case "quot":
		return `"`, semi + 1
	}
	if num, ok := strings.CutPrefix(name, "#"); ok {
		base := 10
		if hex, ok := strings.CutPrefix(strings.ToLower(num), "x"); ok {
			num, base = hex, 16
		}
		if r, err := strconv.ParseUint(num, base, 32); err == nil && utf8.ValidRune(rune(r)) {
			return string(rune(r)), semi + 1
		}
	}
	return "", 0
}

// parseMarkdown applies legacy Markdown: *bold*, _italic_, `code`,
// ```pre```, [text](url), with '\' escaping those characters.
func parseMarkdown(text string) (string, string) {
	var out strings.Builder
	for i := 0; i < len(text); {
		c := text[i]
		if c == '\\' && i+1 < len(text) && strings.IndexByte("_*`[", text[i+1]) >= 0 {
			out.WriteByte(text[i+1])
			i += 2
			continue
		}
		if strings.IndexByte("_*`[", c) < 0 {
			out.WriteByte(c)
			i++
			continue
		}
		begin := i
		endMark := string(c)
		switch {
		case c == '[':
			endMark = "]"
		case strings.HasPrefix(text[i:], "```"):
			endMark = "```"
		}
		i += len(endMark) // "]" and "[" have the same length
		end := strings.Index(text[i:], endMark)
		if end < 0 {
			return "", fmt.Sprintf("Can't find end of the entity starting at byte offset %d", begin)
		}
		out.WriteString(text[i : i+end])
		i += end + len(endMark)
		if c == '[' && i < len(text) && text[i] == '(' {
			if close := strings.IndexByte(text[i:], ')'); close >= 0 {
				i += close + 1
			}
		}
	}
	return out.String(), ""
}

const markdownV2Reserved = "_*[]()~`>#+-=|{}.!"

type mdv2Entity struct {
	name   string
	end    string
	offset int
}

// parseMarkdownV2 applies MarkdownV2, where every reserved character outside
// markup must be escaped with '\'.
func parseMarkdownV2(text string) (string, string) {
	var out strings.Builder
	var open []mdv2Entity
	for i := 0; i < len(text); {
		c := text[i]
		if c == '\\' && i+1 < len(text) {
			_, n := utf8.DecodeRuneInString(text[i+1:])
			out.WriteString(text[i+1 : i+1+n])
			i += 1 + n
			continue
		}
		if len(open) > 0 && strings.HasPrefix(text[i:], open[len(open)-1].end) {
			top := open[len(open)-1]
			open = open[:len(open)-1]
			i += len(top.end)
			if top.name == "TextUrl" {
				if i >= len(text) || text[i] != '(' {
					continue
				}
				close := strings.IndexByte(text[i:], ')')
				if close < 0 {
					return "", fmt.Sprintf("Can't find end of a URL at byte offset %d", i)
				}
				i += close + 1
			}
			continue
		}
		if strings.IndexByte(markdownV2Reserved, c) < 0 {
			out.WriteByte(c)
			i++
			continue
		}
		var e mdv2Entity
		switch {
		case strings.HasPrefix(text[i:], "```"):
			e = mdv2Entity{name: "Pre", end: "```"}
		case c == '`':
			e = mdv2Entity{name: "Code", end: "`"}
		case strings.HasPrefix(text[i:], "__"):
			e = mdv2Entity{name: "Underline", end: "__"}
		case c == '_':
			e = mdv2Entity{name: "Italic", end: "_"}
		case c == '*':
			e = mdv2Entity{name: "Bold", end: "*"}
		case c == '~':
			e = mdv2Entity{name: "Strikethrough", end: "~"}
		case strings.HasPrefix(text[i:], "||"):
			e = mdv2Entity{name: "Spoiler", end: "||"}
		case c == '[':
			e = mdv2Entity{name: "TextUrl", end: "]"}
		case c == '>' && (i == 0 || text[i-1] == '\n'):
			i++ // blockquote line
			continue
		default:
			return "", fmt.Sprintf("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
		}
		e.offset = i
		i += len(e.end)
		if e.name == "Pre" || e.name == "Code" {
			end := codeEnd(text[i:], e.end)
			if end < 0 {
				return "", fmt.Sprintf("Can't find end of %s entity at byte offset %d", e.name, e.offset)
			}
			out.WriteString(unescapeCode(text[i : i+end]))
			i += end + len(e.end)
			continue
		}
		open = append(open, e)
	}
	if len(open) > 0 {
		top := open[len(open)-1]
		return "", fmt.Sprintf("Can't find end of %s entity at byte offset %d", top.name, top.offset)
	}
	return out.String(), ""
}

// codeEnd finds the unescaped end marker of a code or pre block.
func codeEnd(s, mark string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if strings.HasPrefix(s[i:], mark) {
			return i
		}
	}
	return -1
}

func unescapeCode(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
