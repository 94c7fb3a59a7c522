package flows

import (
	"slices"
	"strconv"
)

// val is the value of an expression while it is evaluated.
type val struct {
	k vkind
	n float64
	s string
	b bool
	l []string
}

type vkind int

const (
	vMissing vkind = iota // skipped, not asked, or the result of arithmetic on those
	vNum
	vStr
	vBool
	vList
)

// scope is what names in an expression read: a conversation's answers and
// computed values.
type scope struct {
	answers  map[string]Value
	computed map[string]float64
}

func (s scope) lookup(name string) val {
	if v, ok := s.answers[name]; ok {
		switch v.Kind {
		case KindOption:
			return val{k: vStr, s: v.Option}
		case KindOptions:
			return val{k: vList, l: v.Options}
		case KindNumber:
			return val{k: vNum, n: v.Number}
		case KindText:
			return val{k: vStr, s: v.Text}
		case KindDate:
			return val{k: vStr, s: v.Date}
		}
		return val{}
	}
	if c, ok := s.computed[name]; ok {
		return val{k: vNum, n: c}
	}
	return val{}
}

// holds evaluates e as a condition: true only when it is true with the values
// at hand.
func (e *Expr) holds(s scope) bool {
	if e == nil {
		return true
	}
	return truth(eval(e.root, s))
}

// number evaluates e as a formula; ok is false when it has no value.
func (e *Expr) number(s scope) (float64, bool) {
	v := eval(e.root, s)
	if v.k == vBool {
		if v.b {
			return 1, true
		}
		return 0, true
	}
	return asNum(v)
}

func truth(v val) bool {
	switch v.k {
	case vBool:
		return v.b
	case vNum:
		return v.n != 0
	case vStr:
		return v.s != ""
	case vList:
		return len(v.l) > 0
	}
	return false
}

func asNum(v val) (float64, bool) {
	switch v.k {
	case vNum:
		return v.n, true
	case vStr:
		f, err := strconv.ParseFloat(v.s, 64)
		return f, err == nil
	}
	return 0, false
}

func boolean(b bool) val { return val{k: vBool, b: b} }

func eval(n node, s scope) val {
	switch x := n.(type) {
	case numLit:
		return val{k: vNum, n: x.v}
	case strLit:
		return val{k: vStr, s: x.v}
	case boolLit:
		return boolean(x.v)
	case ident:
		return s.lookup(x.name)
	case call:
		return evalCall(x, s)
	case unary:
		v := eval(x.x, s)
		if x.op == "not" {
			if v.k == vMissing {
				return v // not knowing stays not knowing
			}
			return boolean(!truth(v))
		}
		if f, ok := asNum(v); ok {
			return val{k: vNum, n: -f}
		}
		return val{}
	case inList:
		v := eval(x.x, s)
		if v.k == vMissing {
			return v
		}
		for _, item := range x.list {
			if compare("==", v, eval(item, s)) {
				return boolean(true)
			}
		}
		return boolean(false)
	case binary:
		switch x.op {
		case "and", "or":
			return logic(x.op, eval(x.l, s), eval(x.r, s))
		}
		l, r := eval(x.l, s), eval(x.r, s)
		switch x.op {
		case "+", "-", "*", "/":
			return arith(x.op, l, r)
		}
		if l.k == vMissing || r.k == vMissing {
			return val{} // a comparison with a missing value has no value
		}
		if x.op == "includes" {
			return boolean(l.k == vList && r.k == vStr && slices.Contains(l.l, r.s))
		}
		return boolean(compare(x.op, l, r))
	}
	return val{}
}

// logic is and / or over three values: true, false and missing. A missing
// side decides nothing: "missing and false" is false, "missing or true" is
// true, anything else with a missing side is missing, so a rule on a score
// that could not be computed neither fires nor counts as "not low".
func logic(op string, l, r val) val {
	known := func(v val) bool { return v.k != vMissing }
	lt, rt := truth(l), truth(r)
	if op == "and" {
		switch {
		case known(l) && !lt || known(r) && !rt:
			return boolean(false)
		case known(l) && known(r):
			return boolean(true)
		}
		return val{}
	}
	switch {
	case known(l) && lt || known(r) && rt:
		return boolean(true)
	case known(l) && known(r):
		return boolean(false)
	}
	return val{}
}

func evalCall(c call, s scope) val {
	switch c.fn {
	case "answered", "skipped", "typed":
		v, ok := s.answers[c.args[0].(ident).name]
		switch c.fn {
		case "answered":
			return boolean(ok && v.Kind != KindSkipped)
		case "typed":
			return boolean(ok && v.Kind == KindText)
		}
		return boolean(ok && v.Kind == KindSkipped)
	case "count_skipped":
		n := 0
		for _, a := range c.args {
			if v, ok := s.answers[a.(ident).name]; ok && v.Kind == KindSkipped {
				n++
			}
		}
		return val{k: vNum, n: float64(n)}
	}
	var nums []float64
	for _, a := range c.args {
		f, ok := asNum(eval(a, s))
		if !ok {
			if c.fn == "sum" {
				return val{}
			}
			continue
		}
		nums = append(nums, f)
	}
	switch c.fn {
	case "count":
		return val{k: vNum, n: float64(len(nums))}
	case "sum":
		t := 0.0
		for _, f := range nums {
			t += f
		}
		return val{k: vNum, n: t}
	}
	if len(nums) == 0 {
		return val{}
	}
	if c.fn == "min" {
		return val{k: vNum, n: slices.Min(nums)}
	}
	return val{k: vNum, n: slices.Max(nums)}
}

func arith(op string, l, r val) val {
	a, ok1 := asNum(l)
	b, ok2 := asNum(r)
	if !ok1 || !ok2 {
		return val{}
	}
	switch op {
	case "+":
		return val{k: vNum, n: a + b}
	case "-":
		return val{k: vNum, n: a - b}
	case "*":
		return val{k: vNum, n: a * b}
	}
	if b == 0 {
		return val{}
	}
	return val{k: vNum, n: a / b}
}

// compare applies a comparison; anything without a value compares false.
func compare(op string, l, r val) bool {
	if l.k == vMissing || r.k == vMissing || l.k == vList || r.k == vList {
		return false
	}
	var c int
	switch {
	case l.k == vNum || r.k == vNum:
		a, ok1 := asNum(l)
		b, ok2 := asNum(r)
		if !ok1 || !ok2 {
			return false
		}
		c = cmp3(a < b, a > b)
	case l.k == vStr && r.k == vStr:
		c = cmp3(l.s < r.s, l.s > r.s)
	case l.k == vBool && r.k == vBool:
		c = cmp3(!l.b && r.b, l.b && !r.b)
	default:
		return false
	}
	switch op {
	case "==":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

func cmp3(less, more bool) int {
	switch {
	case less:
		return -1
	case more:
		return 1
	}
	return 0
}
