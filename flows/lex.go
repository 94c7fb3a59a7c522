package flows

import (
	"fmt"
	"strings"
	"unicode"
)

// token is a word of a condition: a number, a quoted text, a name, an
// operator, or the end.
type token struct {
	kind string // num, str, ident, op, eof
	text string
	pos  int
}

// lex splits a condition into tokens; a single = is read as ==, so a
// slip in writing does not change the meaning.
func lex(src string) ([]token, error) {
	var toks []token
	rs := []rune(src)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '"' || r == '\'' || r == '“' || r == '”':
			j := i + 1
			for j < len(rs) && rs[j] != r && !(r == '“' && rs[j] == '”') {
				j++
			}
			if j == len(rs) {
				return nil, fmt.Errorf("column %d: text not closed: add the closing quote", i+1)
			}
			toks = append(toks, token{"str", string(rs[i+1 : j]), i})
			i = j + 1
		case r >= '0' && r <= '9' || r == '.' && i+1 < len(rs) && rs[i+1] >= '0' && rs[i+1] <= '9':
			j := i
			for j < len(rs) && (rs[j] >= '0' && rs[j] <= '9' || rs[j] == '.') {
				j++
			}
			toks = append(toks, token{"num", string(rs[i:j]), i})
			i = j
		case r == '_' || unicode.IsLetter(r):
			j := i
			for j < len(rs) && (rs[j] == '_' || unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j])) {
				j++
			}
			toks = append(toks, token{"ident", string(rs[i:j]), i})
			i = j
		default:
			two := ""
			if i+1 < len(rs) {
				two = string(rs[i : i+2])
			}
			switch {
			case two == "==" || two == "!=" || two == "<=" || two == ">=":
				toks = append(toks, token{"op", two, i})
				i += 2
			case strings.ContainsRune("<>=+-*/(),", r):
				op := string(r)
				if op == "=" {
					op = "=="
				}
				toks = append(toks, token{"op", op, i})
				i++
			default:
				return nil, fmt.Errorf("column %d: unexpected %q", i+1, string(r))
			}
		}
	}
	return append(toks, token{"eof", "", len(rs)}), nil
}
