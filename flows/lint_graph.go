package flows

import (
	"fmt"
	"strings"
)

// gotoEnd is the goto target that finishes the flow.
const gotoEnd = "end"

// edge is a possible move from one question to another (or to the end, -1).
type edge struct {
	to   int
	line int
}

// edges lists where the conversation may go after question i: each rule's
// target, and the next question in the file unless a rule always applies.
func (d *Definition) edges(i int) []edge {
	q := d.Questions[i]
	var out []edge
	always := false
	for _, r := range q.Next {
		to := -1
		if r.Goto != gotoEnd {
			j, ok := d.byID[r.Goto]
			if !ok {
				continue
			}
			to = j
		}
		out = append(out, edge{to, r.Line})
		if r.If == nil {
			always = true
			break
		}
	}
	if !always {
		to := i + 1
		if to == len(d.Questions) {
			to = -1
		}
		out = append(out, edge{to, q.Line})
	}
	return out
}

// checkGraph reports unknown goto targets, rules after an unconditional one,
// questions no path reaches, and cycles.
func (c *checker) checkGraph() {
	d := c.def
	for _, q := range d.Questions {
		for k, r := range q.Next {
			if _, ok := d.byID[r.Goto]; !ok && r.Goto != gotoEnd {
				c.add(r.Line, fmt.Sprintf("question %q: goto %q: no such question", q.ID, r.Goto), "goto a question id of this flow, or end")
			}
			if r.If == nil && k < len(q.Next)-1 {
				c.add(q.Next[k+1].Line, fmt.Sprintf("question %q: this rule follows one without if, it never applies", q.ID), "put the rule without if last")
			}
		}
	}
	if len(d.Questions) == 0 || len(d.byID) != len(d.Questions) {
		return // duplicate ids make the graph ambiguous; already reported
	}
	const (
		unseen = iota
		open
		done
	)
	color := make([]int, len(d.Questions))
	var stack []int
	var visit func(i int)
	visit = func(i int) {
		color[i] = open
		stack = append(stack, i)
		for _, e := range d.edges(i) {
			switch {
			case e.to < 0:
			case color[e.to] == open:
				var path []string
				for k := len(stack) - 1; k >= 0; k-- {
					path = append([]string{d.Questions[stack[k]].ID}, path...)
					if stack[k] == e.to {
						break
					}
				}
				path = append(path, d.Questions[e.to].ID)
				c.add(e.line, "cycle in branching: "+strings.Join(path, " → "), "a goto must lead to a question further down, or to end")
			case color[e.to] == unseen:
				visit(e.to)
			}
		}
		stack = stack[:len(stack)-1]
		color[i] = done
	}
	visit(0)
	for i, q := range d.Questions {
		if color[i] == unseen {
			c.add(q.Line, fmt.Sprintf("unreachable question %q: no path leads to it", q.ID), "add a goto to it, or remove it")
		}
	}
}
