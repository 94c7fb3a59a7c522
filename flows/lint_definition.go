package flows

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// MaxPayload is the most bytes a button payload of the engine may take: the
// bot adds a prefix of up to 16 bytes and Telegram allows 64.
const MaxPayload = 48

// Payload values that are not option values.
const (
	payloadSkip = "!skip"
	payloadDone = "!done"
)

var (
	idPattern     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	valuePattern  = regexp.MustCompile(`^[A-Za-z0-9_.+-]+$`)
	settingValues = map[string][]string{"language": languages[:]}
)

// checker collects the problems of one definition.
type checker struct {
	file     string
	def      *Definition
	problems []Problem
}

func (c *checker) add(line int, msg, fix string) {
	c.problems = append(c.problems, Problem{File: c.file, Line: line, Message: msg, Fix: fix})
}

// needText reports a required text that is absent altogether (texts that are
// there but lack a language were reported while decoding).
func (c *checker) needText(t Text, line int, what string) {
	if t == nil {
		c.add(line, "missing translation: "+what+" has no text", "add "+what+" with fr, ar and en")
	}
}

func (c *checker) check() {
	d := c.def
	if !idPattern.MatchString(d.ID) {
		c.add(1, fmt.Sprintf("flow id %q: use lower-case letters, digits and _", d.ID), "write for example id: project_checkin")
	}
	if d.Version < 1 {
		c.add(1, "version must be 1 or more", "add version: 1")
	}
	c.needText(d.Title, 1, "title")
	c.checkSchedule()
	if len(d.Questions) == 0 {
		c.add(1, "no questions", "add a questions: list")
	}
	dims := map[string]bool{}
	if d.Scoring != nil {
		c.checkScoring(dims)
	}
	seen := map[string]int{}
	for _, q := range d.Questions {
		if first, dup := seen[q.ID]; dup {
			c.add(q.Line, fmt.Sprintf("duplicate question id %q (first on line %d)", q.ID, first), "give each question its own id")
			continue
		}
		seen[q.ID] = q.Line
		c.checkQuestion(q, dims)
	}
	c.checkNames(dims)
	c.checkExprs()
	c.checkAlerts()
	c.checkGraph()
}

func (c *checker) checkSchedule() {
	s := c.def.Schedule
	switch s.Trigger {
	case "return":
		if len(s.Months) == 0 {
			c.add(1, "schedule: trigger return needs months", "write schedule: {trigger: return, months: [1, 3, 6]}")
		}
		for i, m := range s.Months {
			if m < 1 || m > 120 || i > 0 && m <= s.Months[i-1] {
				c.add(1, fmt.Sprintf("schedule: month %d out of order or outside 1..120", m), "list months after return in increasing order")
			}
		}
	case "enrolment", "manual":
		if len(s.Months) > 0 {
			c.add(1, "schedule: months only go with trigger return", "remove months or use trigger: return")
		}
	default:
		c.add(1, fmt.Sprintf("schedule: unknown trigger %q", s.Trigger), "use trigger: enrolment, return (with months) or manual")
	}
}

func (c *checker) checkScoring(dims map[string]bool) {
	s := c.def.Scoring
	for _, dm := range s.Dimensions {
		if !idPattern.MatchString(dm.ID) || dims[dm.ID] {
			c.add(dm.Line, fmt.Sprintf("dimension id %q is invalid or given twice", dm.ID), "use a unique lower-case id")
		}
		dims[dm.ID] = true
		if dm.Weight != nil && *dm.Weight < 0 {
			c.add(dm.Line, "dimension weight is negative", "use a weight of 0 or more")
		}
	}
	if s.Threshold != nil && (*s.Threshold < 0 || *s.Threshold > 1) {
		c.add(s.Line, fmt.Sprintf("threshold %g outside [0,1]", *s.Threshold), "scores run from 0 to 1")
	}
}

func (c *checker) checkQuestion(q *Question, dims map[string]bool) {
	if !idPattern.MatchString(q.ID) {
		c.add(q.Line, fmt.Sprintf("question id %q: use lower-case letters, digits and _", q.ID), "write for example id: revenue")
	}
	c.needText(q.Text, q.Line, fmt.Sprintf("question %q", q.ID))
	if !slices.Contains(questionTypes, q.Type) {
		c.add(q.Line, fmt.Sprintf("question %q: unknown question type %q", q.ID, q.Type), "use one of "+strings.Join(questionTypes, ", "))
		return
	}
	if q.Min != nil && q.Max != nil && *q.Min > *q.Max {
		c.add(q.Line, fmt.Sprintf("question %q: bounds min %g > max %g", q.ID, *q.Min, *q.Max), "swap min and max")
	}
	switch q.Type {
	case TypeSingle, TypeMultiple:
		if len(q.Options) < 2 {
			c.add(q.Line, fmt.Sprintf("question %q: a %s question needs at least 2 options", q.ID, q.Type), "add options")
		}
	case TypeYesNo:
		var vals []string
		for _, o := range q.Options {
			vals = append(vals, o.Value)
		}
		if slices.Sort(vals); !slices.Equal(vals, []string{"no", "yes"}) {
			c.add(q.Line, fmt.Sprintf("question %q: yes/no options must be yes and no", q.ID), "use values yes and no, or type: single")
		}
	case TypeScale:
		c.checkScale(q)
	case TypeText:
		if q.MaxLength < 0 || q.MaxLength > 4000 {
			c.add(q.Line, fmt.Sprintf("question %q: max_length %d outside 1..4000", q.ID, q.MaxLength), "Telegram messages hold 4096 characters")
		}
	}
	if q.Type != TypeNumber && q.Type != TypeScale && (q.Min != nil || q.Max != nil) {
		c.add(q.Line, fmt.Sprintf("question %q: min and max only go with number and scale", q.ID), "remove them")
	}
	if q.Unit != nil && q.Type != TypeNumber {
		c.add(q.Line, fmt.Sprintf("question %q: unit only goes with number", q.ID), "remove it")
	}
	if q.Dimension != "" && !dims[q.Dimension] {
		c.add(q.Line, fmt.Sprintf("question %q: unknown dimension %q", q.ID, q.Dimension), "declare it under scoring: dimensions:")
	}
	if q.Weight != nil && *q.Weight < 0 {
		c.add(q.Line, fmt.Sprintf("question %q: negative weight", q.ID), "use a weight of 0 or more")
	}
	if q.Indicator != "" && !idPattern.MatchString(q.Indicator) {
		c.add(q.Line, fmt.Sprintf("question %q: indicator %q: use lower-case letters, digits and _", q.ID, q.Indicator), "")
	}
	c.checkOptions(q)
	c.checkReuse(q)
	if q.FreeText && (!q.choice() || q.Type == TypeMultiple) {
		c.add(q.Line, fmt.Sprintf("question %q: free_text only goes with single, yesno and scale", q.ID), "remove it, or use type: text")
	}
	c.checkPayload(q.ID, q.Line, payloadSkip)
	if q.Type == TypeMultiple {
		c.checkPayload(q.ID, q.Line, payloadDone)
	}
}

func (c *checker) checkScale(q *Question) {
	if q.Min == nil || q.Max == nil {
		c.add(q.Line, fmt.Sprintf("question %q: a scale needs min and max", q.ID), "add for example min: 1 and max: 5")
		return
	}
	lo, hi := *q.Min, *q.Max
	if lo != float64(int(lo)) || hi != float64(int(hi)) || hi-lo > maxScalePoints {
		c.add(q.Line, fmt.Sprintf("question %q: a scale runs over whole numbers, at most %d steps", q.ID, maxScalePoints), "use whole numbers like 0 and 5")
	}
	for k := range q.Labels {
		v, err := strconv.Atoi(k)
		if err != nil || float64(v) < lo || float64(v) > hi {
			c.add(q.Line, fmt.Sprintf("question %q: label %q is not a point of the scale", q.ID, k), fmt.Sprintf("label whole numbers from %g to %g", lo, hi))
		}
	}
}

func (c *checker) checkOptions(q *Question) {
	seen := map[string]int{}
	for _, o := range q.Options {
		if first, dup := seen[o.Value]; dup {
			c.add(o.Line, fmt.Sprintf("question %q: duplicate option value %q (first on line %d)", q.ID, o.Value, first), "give each option its own value")
			continue
		}
		seen[o.Value] = o.Line
		if !valuePattern.MatchString(o.Value) {
			c.add(o.Line, fmt.Sprintf("question %q: option value %q: use letters, digits, _ . + -", q.ID, o.Value), "write for example value: not_started")
		}
		if q.Type == TypeSingle || q.Type == TypeMultiple {
			c.needText(o.Label, o.Line, fmt.Sprintf("option %q", o.Value))
		}
		if o.Score != nil && (*o.Score < 0 || *o.Score > 1) {
			c.add(o.Line, fmt.Sprintf("question %q: option %q: score %g outside [0,1]", q.ID, o.Value, *o.Score), "scores run from 0 (worst) to 1 (best)")
		}
		if o.Exclusive && q.Type != TypeMultiple {
			c.add(o.Line, "exclusive only goes with multiple", "remove it")
		}
		if allowed, ok := settingValues[q.Setting]; ok && !slices.Contains(allowed, o.Value) {
			c.add(o.Line, fmt.Sprintf("setting %s cannot be %q", q.Setting, o.Value), "use one of "+strings.Join(allowed, ", "))
		}
		c.checkPayload(q.ID, o.Line, o.Value)
	}
}

func (c *checker) checkPayload(qid string, line int, value string) {
	if n := len(payload(qid, value)); n > MaxPayload {
		c.add(line, fmt.Sprintf("callback payload %q is %d bytes, over the budget of %d", payload(qid, value), n, MaxPayload),
			"shorten the question id or the option value")
	}
}

// payload is the button payload of an option: "<qid>:<value>".
func payload(qid, value string) string { return qid + ":" + value }

// checkNames checks the ids of formulas against questions and dimensions.
func (c *checker) checkNames(dims map[string]bool) {
	taken := map[string]string{}
	if c.def.Scoring != nil {
		taken["composite"], taken["sustainable"] = "the composite score", "the sustainable flag"
	}
	for d := range dims {
		taken[d] = "a dimension"
	}
	for _, q := range c.def.Questions {
		if what, ok := taken[q.ID]; ok && what != "a question" {
			c.add(q.Line, fmt.Sprintf("question id %q is already %s", q.ID, what), "rename it")
		}
		taken[q.ID] = "a question"
	}
	for _, f := range c.def.Computed {
		if !idPattern.MatchString(f.ID) {
			c.add(f.Line, fmt.Sprintf("computed id %q: use lower-case letters, digits and _", f.ID), "")
		}
		if what, ok := taken[f.ID]; ok {
			c.add(f.Line, fmt.Sprintf("computed id %q is already %s", f.ID, what), "rename it")
		}
		taken[f.ID] = "a computed value"
		if f.Expr == nil {
			c.add(f.Line, fmt.Sprintf("computed %q has no expr", f.ID), "add expr: …")
		}
	}
}

func (c *checker) checkAlerts() {
	seen := map[string]bool{}
	for _, a := range c.def.Alerts {
		if !idPattern.MatchString(a.ID) || seen[a.ID] {
			c.add(a.Line, fmt.Sprintf("alert id %q is invalid or given twice", a.ID), "use a unique lower-case id")
		}
		seen[a.ID] = true
		if !slices.Contains(alertCategories, a.Category) {
			c.add(a.Line, fmt.Sprintf("alert %q: unknown alert category %q", a.ID, a.Category), "use one of "+strings.Join(alertCategories, ", "))
		}
		if !slices.Contains(alertSeverities, a.Severity) {
			c.add(a.Line, fmt.Sprintf("alert %q: unknown severity %q", a.ID, a.Severity), "use one of "+strings.Join(alertSeverities, ", "))
		}
		if a.When == nil {
			c.add(a.Line, fmt.Sprintf("alert %q has no when", a.ID), `add when: with a condition like status == "closed"`)
		}
		c.needText(a.Message, a.Line, fmt.Sprintf("alert %q message", a.ID))
	}
	for i, e := range c.def.Endings {
		c.needText(e.Text, e.Line, "end text")
		if e.If == nil && i < len(c.def.Endings)-1 {
			c.add(e.Line, "an ending without if must come last", "move it to the end of the list")
		}
	}
}
