package flows

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strconv"
)

// ParseDefinition reads one definition file, prepares it for the engine
// (yes/no and scale options, parsed conditions, question index) and checks it.
// The definition is usable only when no problem is returned.
func ParseDefinition(file string, data []byte) (*Definition, []Problem) {
	d := &decoder{file: file}
	root := d.parseYAML(data)
	if root == nil {
		return nil, d.problems
	}
	def := &Definition{File: file}
	d.decode(root, reflect.ValueOf(def).Elem())
	c := &checker{file: file, def: def}
	c.problems = d.problems
	def.prepare(c)
	c.check()
	slices.SortStableFunc(c.problems, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
	return def, c.problems
}

// prepare indexes questions, generates the options of yes/no and scale
// questions and parses every expression.
func (d *Definition) prepare(c *checker) {
	d.byID = make(map[string]int, len(d.Questions))
	for i, q := range d.Questions {
		if q == nil {
			continue
		}
		if _, dup := d.byID[q.ID]; !dup {
			d.byID[q.ID] = i
		}
		switch q.Type {
		case TypeYesNo:
			if len(q.Options) == 0 {
				q.Options = []*Option{{Value: "yes", Line: q.Line}, {Value: "no", Line: q.Line}}
			}
		case TypeScale:
			if len(q.Options) > 0 {
				c.add(q.Line, fmt.Sprintf("question %q: a scale takes min, max and labels, not options", q.ID),
					"use type: single for named options, or remove options")
				q.Options = nil
			}
			if q.Min != nil && q.Max != nil && *q.Min <= *q.Max && *q.Max-*q.Min <= maxScalePoints {
				lo, hi := int(*q.Min), int(*q.Max)
				for v := lo; v <= hi; v++ {
					score := 0.0
					if hi > lo {
						score = float64(v-lo) / float64(hi-lo)
					}
					q.Options = append(q.Options, &Option{Value: strconv.Itoa(v), Label: q.Labels[strconv.Itoa(v)], Score: &score, Line: q.Line})
				}
			}
		}
	}
	parse := func(e *Expr) {
		if e == nil {
			return
		}
		root, err := parseExpr(e.Src)
		if err != nil {
			c.add(e.Line, fmt.Sprintf("condition %q: %v", e.Src, err), `write it like: status == "closed" and revenue > 0`)
			return
		}
		e.root = root
		e.refs = collectRefs(root, map[string]bool{}, nil)
	}
	for _, q := range d.Questions {
		if q == nil {
			continue
		}
		parse(q.AskIf)
		for _, r := range q.Next {
			if r != nil {
				parse(r.If)
			}
		}
	}
	for _, f := range d.Computed {
		if f != nil {
			parse(f.Expr)
		}
	}
	for _, a := range d.Alerts {
		if a != nil {
			parse(a.When)
		}
	}
	for _, a := range d.Alerts {
		if a.When != nil {
			a.questions = d.questionsBehind(a.When.refs, map[string]bool{})
		}
	}
	for _, e := range d.Endings {
		if e != nil {
			parse(e.If)
		}
	}
}

// maxScalePoints bounds a scale so that its buttons fit a phone.
const maxScalePoints = 10

// questionsBehind lists the questions names stand for: a question itself, the
// questions a formula reads, the questions of a dimension (every scored
// question for the composite), so that an alert on who5_percent shows the
// case worker the five answers behind it.
func (d *Definition) questionsBehind(names []string, seen map[string]bool) []string {
	var out []string
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		if _, ok := d.byID[name]; ok {
			out = append(out, name)
			continue
		}
		for _, f := range d.Computed {
			if f.ID == name && f.Expr != nil {
				out = append(out, d.questionsBehind(f.Expr.refs, seen)...)
			}
		}
		for _, q := range d.Questions {
			scored := q.Dimension != "" && (q.Dimension == name || name == "composite" || name == "sustainable")
			if scored && !seen[q.ID] {
				seen[q.ID] = true
				out = append(out, q.ID)
			}
		}
	}
	return out
}
