package flows

import (
	"fmt"
	"slices"
	"strings"
)

// checkReuse checks the reuse fields of a question.
func (c *checker) checkReuse(q *Question) {
	if q.ReuseKey == "" && q.ReuseWithin == "" && q.ReuseAs == nil {
		return
	}
	if q.ReuseKey == "" || q.ReuseWithin == "" {
		c.add(q.Line, fmt.Sprintf("question %q: reuse_key and reuse_within go together", q.ID), "write both, like reuse_key: work_status and reuse_within: 14d")
		return
	}
	if !idPattern.MatchString(q.ReuseKey) {
		c.add(q.Line, fmt.Sprintf("question %q: reuse_key %q: use lower-case letters, digits and _", q.ID, q.ReuseKey), "")
	}
	d, err := parseReuseWithin(q.ReuseWithin)
	if err != nil {
		c.add(q.Line, fmt.Sprintf("question %q: reuse_within: %v", q.ID, err), "write a number of days, like 14d")
	}
	q.reuseWithin = d
	if q.Type == TypeText || q.Setting != "" {
		c.add(q.Line, fmt.Sprintf("question %q: a free text or a setting cannot be reused", q.ID), "remove reuse_key and reuse_within")
	}
	for from, to := range q.ReuseAs {
		if q.option(from) == nil || !valuePattern.MatchString(to) {
			c.add(q.Line, fmt.Sprintf("question %q: reuse_as %s: %s: the left side must be an option of this question, the right side a value", q.ID, from, to),
				"write like reuse_as: {operating: \"yes\"}")
		}
	}
}

// checkReuseAcross checks that questions sharing a reuse key, in any file,
// ask for the same kind of answer with the same options, so that an answer
// to one is a valid answer to the other, and that what reuse_as hands on is
// an option of theirs.
func checkReuseAcross(defs []*Definition) []Problem {
	var problems []Problem
	first := map[string]*Question{}
	where := map[string]string{}
	for _, d := range defs {
		for _, q := range d.Questions {
			if q.ReuseKey == "" || q.ReuseAs != nil {
				continue
			}
			f, ok := first[q.ReuseKey]
			if !ok {
				first[q.ReuseKey], where[q.ReuseKey] = q, d.File+" question "+q.ID
				continue
			}
			if f.Type != q.Type || !slices.Equal(optionValues(f), optionValues(q)) {
				problems = append(problems, Problem{File: d.File, Line: q.Line,
					Message: fmt.Sprintf("question %q: reuse_key %q is also on %s, which has another type or other options", q.ID, q.ReuseKey, where[q.ReuseKey]),
					Fix:     "give both the same type and option values, or another reuse_key"})
			}
		}
	}
	for _, d := range defs {
		for _, q := range d.Questions {
			f, ok := first[q.ReuseKey]
			if q.ReuseAs == nil || q.ReuseKey == "" {
				continue
			}
			if !ok {
				continue // the taking question may be in another folder (embedded)
			}
			if f.Type != TypeSingle && f.Type != TypeYesNo {
				problems = append(problems, Problem{File: d.File, Line: q.Line,
					Message: fmt.Sprintf("question %q: reuse_as hands answers on to reuse_key %q, taken by a question that is not single or yes/no", q.ID, q.ReuseKey),
					Fix:     "hand answers on only to a single or yes/no question"})
				continue
			}
			for _, to := range q.ReuseAs {
				if f.option(to) == nil {
					problems = append(problems, Problem{File: d.File, Line: q.Line,
						Message: fmt.Sprintf("question %q: reuse_as gives %q, not an option of %s", q.ID, to, where[q.ReuseKey]),
						Fix:     "options are " + strings.Join(optionValues(f), ", ")})
				}
			}
		}
	}
	return problems
}

func optionValues(q *Question) []string {
	vals := make([]string, 0, len(q.Options))
	for _, o := range q.Options {
		vals = append(vals, o.Value)
	}
	slices.Sort(vals)
	return vals
}
