package flows

import (
	"fmt"
	"strconv"
)

// Expr is a condition or formula of a definition, kept with its source and
// line and parsed once when the definition is loaded.
//
// The language, meant to be read by an M&E officer:
//
//	status == "closed"
//	status in ("operating", "paused")
//	who5_percent < 50 or min(who5_1, who5_2, who5_3, who5_4, who5_5) <= 1
//	revenue > 0 and covers == "no"
//	difficulties includes "money"
//	not answered(revenue)
//	(who5_1 + who5_2 + who5_3 + who5_4 + who5_5) * 4
//
// Names are question ids (their answer: an option value, a number, a text, a
// date as "YYYY-MM-DD", or a list for multiple choice) and computed value ids.
// A question skipped or not asked has no value (it is missing), and so has a
// computed value that could not be computed: a comparison or arithmetic with
// it is missing too, "not" of missing is missing, "missing and false" is
// false, "missing or true" is true, and any other and / or with a missing
// side is missing. A condition holds only when it is true, so a rule on
// who5_percent never fires when who5_percent is missing, written either way
// (who5_percent < 50 or not who5_percent >= 50). A formula that comes out
// missing is not stored. min, max and count leave missing values out (sum
// does not). Functions: min, max, sum, count, answered(q), skipped(q),
// typed(q) (answered with a typed text on a free_text choice question) and
// count_skipped(q1, q2, …).
type Expr struct {
	Src  string
	Line int
	root node
	refs []string // question and computed ids it reads, in order of appearance
}

// Refs returns the question and computed value ids the expression reads.
func (e *Expr) Refs() []string { return e.refs }

type node interface{}

type (
	numLit  struct{ v float64 }
	strLit  struct{ v string }
	boolLit struct{ v bool }
	ident   struct{ name string }
	call    struct {
		fn   string
		args []node
	}
	unary struct {
		op string
		x  node
	}
	binary struct {
		op   string
		l, r node
	}
	inList struct {
		x    node
		list []node
	}
)

// functions and their number of arguments (-1: one or more values, -2: one
// or more question ids).
var functions = map[string]int{"min": -1, "max": -1, "sum": -1, "count": -1, "answered": 1, "skipped": 1,
	"typed": 1, "count_skipped": -2}

var cmpOps = map[string]bool{"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

type parser struct {
	toks []token
	i    int
}

// parseExpr parses a condition or formula.
func parseExpr(src string) (node, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != "eof" {
		return nil, fmt.Errorf("column %d: unexpected %q: join conditions with and / or", t.pos+1, t.text)
	}
	return n, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) is(kind, text string) bool {
	t := p.peek()
	return t.kind == kind && t.text == text
}

func (p *parser) expect(text string) error {
	if t := p.next(); t.kind != "op" || t.text != text {
		return fmt.Errorf("column %d: expected %q, found %q", t.pos+1, text, t.text)
	}
	return nil
}

func (p *parser) or() (node, error)  { return p.chain("or", p.and) }
func (p *parser) and() (node, error) { return p.chain("and", p.not) }

func (p *parser) chain(word string, sub func() (node, error)) (node, error) {
	l, err := sub()
	for err == nil && p.is("ident", word) {
		p.next()
		var r node
		if r, err = sub(); err == nil {
			l = binary{word, l, r}
		}
	}
	return l, err
}

func (p *parser) not() (node, error) {
	if p.is("ident", "not") {
		p.next()
		x, err := p.not()
		return unary{"not", x}, err
	}
	return p.cmp()
}

func (p *parser) cmp() (node, error) {
	l, err := p.sum()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	switch {
	case t.kind == "op" && cmpOps[t.text]:
		p.next()
		r, err := p.sum()
		return binary{t.text, l, r}, err
	case t.kind == "ident" && t.text == "includes":
		p.next()
		r, err := p.sum()
		return binary{"includes", l, r}, err
	case t.kind == "ident" && t.text == "in":
		p.next()
		if err := p.expect("("); err != nil {
			return nil, err
		}
		list, err := p.args()
		return inList{l, list}, err
	}
	return l, nil
}

func (p *parser) sum() (node, error) {
	l, err := p.prod()
	for err == nil && (p.is("op", "+") || p.is("op", "-")) {
		op := p.next().text
		var r node
		if r, err = p.prod(); err == nil {
			l = binary{op, l, r}
		}
	}
	return l, err
}

func (p *parser) prod() (node, error) {
	l, err := p.unary()
	for err == nil && (p.is("op", "*") || p.is("op", "/")) {
		op := p.next().text
		var r node
		if r, err = p.unary(); err == nil {
			l = binary{op, l, r}
		}
	}
	return l, err
}

func (p *parser) unary() (node, error) {
	if p.is("op", "-") {
		p.next()
		x, err := p.unary()
		return unary{"-", x}, err
	}
	return p.primary()
}

// args parses "a, b, c)" after an opening parenthesis.
func (p *parser) args() ([]node, error) {
	var list []node
	for {
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		list = append(list, n)
		if p.is("op", ",") {
			p.next()
			continue
		}
		return list, p.expect(")")
	}
}

func (p *parser) primary() (node, error) {
	t := p.next()
	switch t.kind {
	case "num":
		v, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, fmt.Errorf("column %d: %q is not a number", t.pos+1, t.text)
		}
		return numLit{v}, nil
	case "str":
		return strLit{t.text}, nil
	case "ident":
		switch t.text {
		case "true", "false":
			return boolLit{t.text == "true"}, nil
		case "and", "or", "not", "in", "includes":
			return nil, fmt.Errorf("column %d: %q needs something before it", t.pos+1, t.text)
		}
		if !p.is("op", "(") {
			return ident{t.text}, nil
		}
		p.next()
		arity, ok := functions[t.text]
		if !ok {
			return nil, fmt.Errorf("column %d: unknown function %s(): use min, max, sum, count, answered, skipped, typed or count_skipped", t.pos+1, t.text)
		}
		args, err := p.args()
		if err != nil {
			return nil, err
		}
		if arity > 0 && len(args) != arity {
			return nil, fmt.Errorf("column %d: %s() takes %d argument", t.pos+1, t.text, arity)
		}
		if arity == 1 || arity == -2 { // -2: one or more question ids
			for _, a := range args {
				if _, ok := a.(ident); !ok {
					return nil, fmt.Errorf("column %d: %s() takes question ids", t.pos+1, t.text)
				}
			}
		}
		return call{t.text, args}, nil
	case "op":
		if t.text == "(" {
			n, err := p.or()
			if err != nil {
				return nil, err
			}
			return n, p.expect(")")
		}
	case "eof":
		return nil, fmt.Errorf("column %d: the condition ends too early", t.pos+1)
	}
	return nil, fmt.Errorf("column %d: unexpected %q", t.pos+1, t.text)
}

// collectRefs returns the names n reads, each once, in order.
func collectRefs(n node, seen map[string]bool, out []string) []string {
	switch x := n.(type) {
	case ident:
		if !seen[x.name] {
			seen[x.name] = true
			out = append(out, x.name)
		}
	case call:
		for _, a := range x.args {
			out = collectRefs(a, seen, out)
		}
	case unary:
		out = collectRefs(x.x, seen, out)
	case binary:
		out = collectRefs(x.l, seen, out)
		out = collectRefs(x.r, seen, out)
	case inList:
		out = collectRefs(x.x, seen, out)
		for _, a := range x.list {
			out = collectRefs(a, seen, out)
		}
	}
	return out
}
