package flows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// exprCtx says what an expression may read: questions before index
// maxQuestion (all when -1) and formulas before index maxFormula (all when -1).
type exprCtx struct {
	where       string
	maxQuestion int
	maxFormula  int
}

func (c *checker) checkExprs() {
	d := c.def
	for i, q := range d.Questions {
		if q.AskIf != nil {
			c.checkExpr(q.AskIf, exprCtx{fmt.Sprintf("question %q ask_if", q.ID), i, -1})
		}
		for _, r := range q.Next {
			if r.If != nil {
				c.checkExpr(r.If, exprCtx{fmt.Sprintf("question %q next", q.ID), i + 1, -1})
			}
		}
	}
	for j, f := range d.Computed {
		if f.Expr != nil {
			c.checkExpr(f.Expr, exprCtx{fmt.Sprintf("computed %q", f.ID), -1, j})
		}
	}
	for _, a := range d.Alerts {
		if a.When != nil {
			c.checkExpr(a.When, exprCtx{fmt.Sprintf("alert %q", a.ID), -1, -1})
		}
	}
	for _, e := range d.Endings {
		if e.If != nil {
			c.checkExpr(e.If, exprCtx{"end", -1, -1})
		}
	}
}

// checkExpr checks that every name is known and readable at that point, and
// that every value compared with a choice question is one of its options.
func (c *checker) checkExpr(e *Expr, ctx exprCtx) {
	if e.root == nil {
		return // did not parse, already reported
	}
	d := c.def
	for _, name := range e.refs {
		if i, ok := d.byID[name]; ok {
			if ctx.maxQuestion >= 0 && i >= ctx.maxQuestion {
				c.add(e.Line, fmt.Sprintf("%s: %q is asked later, so it has no answer yet here", ctx.where, name), "refer only to questions asked before")
			}
			continue
		}
		if j := slices.IndexFunc(d.Computed, func(f *Formula) bool { return f.ID == name }); j >= 0 {
			if ctx.maxFormula >= 0 && j >= ctx.maxFormula {
				c.add(e.Line, fmt.Sprintf("%s: computed %q is defined later", ctx.where, name), "move this formula after it")
			}
			continue
		}
		if c.scoreName(name) {
			continue
		}
		c.add(e.Line, fmt.Sprintf("%s: unknown question or value %q in %q", ctx.where, name, e.Src), "known: "+c.knownNames())
	}
	c.walkValues(e, e.root, ctx)
}

func (c *checker) scoreName(name string) bool {
	s := c.def.Scoring
	if s == nil {
		return false
	}
	if name == "composite" || name == "sustainable" && s.Threshold != nil {
		return true
	}
	return slices.ContainsFunc(s.Dimensions, func(d *Dimension) bool { return d.ID == name })
}

func (c *checker) knownNames() string {
	var names []string
	for _, q := range c.def.Questions {
		names = append(names, q.ID)
	}
	for _, f := range c.def.Computed {
		names = append(names, f.ID)
	}
	if s := c.def.Scoring; s != nil {
		for _, d := range s.Dimensions {
			names = append(names, d.ID)
		}
		names = append(names, "composite")
	}
	return strings.Join(names, ", ")
}

// walkValues finds comparisons of a question with literals.
func (c *checker) walkValues(e *Expr, n node, ctx exprCtx) {
	switch x := n.(type) {
	case binary:
		switch {
		case x.op == "includes":
			q := c.questionOf(x.l)
			if q == nil || q.Type != TypeMultiple {
				c.add(e.Line, fmt.Sprintf("%s: includes goes after a multiple-choice question", ctx.where), `write like: difficulties includes "money"`)
			} else {
				c.checkLiteral(e, ctx, q, x.r)
			}
		case cmpOps[x.op]:
			if q := c.questionOf(x.l); q != nil && q.Type == TypeMultiple {
				c.add(e.Line, fmt.Sprintf("%s: %q has several answers: compare with includes", ctx.where, q.ID), fmt.Sprintf(`write like: %s includes "value"`, q.ID))
			} else if q != nil {
				c.checkLiteral(e, ctx, q, x.r)
			} else if q := c.questionOf(x.r); q != nil {
				c.checkLiteral(e, ctx, q, x.l)
			}
		}
		c.walkValues(e, x.l, ctx)
		c.walkValues(e, x.r, ctx)
	case inList:
		if q := c.questionOf(x.x); q != nil {
			for _, item := range x.list {
				c.checkLiteral(e, ctx, q, item)
			}
		}
	case unary:
		c.walkValues(e, x.x, ctx)
	case call:
		for _, a := range x.args {
			c.walkValues(e, a, ctx)
		}
	}
}

func (c *checker) questionOf(n node) *Question {
	if id, ok := n.(ident); ok {
		q, _ := c.def.Question(id.name)
		return q
	}
	return nil
}

// checkLiteral checks a literal compared with question q's answer.
func (c *checker) checkLiteral(e *Expr, ctx exprCtx, q *Question, lit node) {
	var text string
	switch l := lit.(type) {
	case strLit:
		text = l.v
		if q.Type == TypeNumber || q.Type == TypeScale {
			c.add(e.Line, fmt.Sprintf("%s: %q is a number question, compared with text %q", ctx.where, q.ID, l.v), "compare with a number, without quotes")
			return
		}
	case numLit:
		if q.Type == TypeNumber || q.Type == TypeScale {
			return
		}
		text = strconv.FormatFloat(l.v, 'f', -1, 64)
	default:
		return
	}
	switch q.Type {
	case TypeSingle, TypeYesNo, TypeMultiple:
		if q.option(text) == nil {
			var vals []string
			for _, o := range q.Options {
				vals = append(vals, o.Value)
			}
			c.add(e.Line, fmt.Sprintf("%s: unknown value %q for question %q", ctx.where, text, q.ID), "options are "+strings.Join(vals, ", "))
		}
	}
}
