package flows

// recompute refreshes the computed values after an answer: dimension scores,
// composite and sustainable flag (when the flow has scoring), then formulas in
// file order. Values that are new or changed go to the result; a value that
// cannot be computed is missing and goes nowhere (never stored as 0). final
// says the flow has run to its end, so a question still without an answer
// was never asked (its ask_if or a next rule passed it over).
func (r *run) recompute(final bool) {
	old := r.st.Computed
	next := make(map[string]float64, len(old))
	var order []string
	set := func(id string, v float64, ok bool) {
		order = append(order, id)
		if ok {
			next[id] = v
		}
	}
	if s := r.def.Scoring; s != nil {
		var sum, weights float64
		complete := true // the composite needs every dimension
		for _, dim := range s.Dimensions {
			v, ok := r.dimensionScore(dim.ID, final)
			set(dim.ID, v, ok)
			complete = complete && ok
			if ok {
				sum += v * weight(dim.Weight)
				weights += weight(dim.Weight)
			}
		}
		composite, ok := 0.0, weights > 0 && complete
		if ok {
			composite = sum / weights
		}
		set("composite", composite, ok)
		if s.Threshold != nil {
			sustainable := 0.0
			if composite >= *s.Threshold {
				sustainable = 1
			}
			set("sustainable", sustainable, ok)
		}
	}
	r.st.Computed = next
	for _, f := range r.def.Computed {
		v, ok := f.Expr.number(r.scope())
		set(f.ID, v, ok)
	}
	for _, id := range order {
		v, ok := next[id]
		if prev, had := old[id]; ok && (!had || prev != v) {
			r.res.Computed = append(r.res.Computed, ComputedValue{ID: id, Value: v})
		}
	}
}

// dimensionScore is the weighted mean of the scores of the dimension's
// questions, only when every one of them was answered: a skipped question,
// or one not reached yet, leaves the dimension missing (a mean of the rest
// would pass a partial instrument off as a whole one). An answer without a
// score ("no school-age children") and, once the flow is over, a question
// never asked are not part of the instrument for this returnee.
func (r *run) dimensionScore(dim string, final bool) (float64, bool) {
	var sum, weights float64
	for _, q := range r.def.Questions {
		if q.Dimension != dim {
			continue
		}
		v, ok := r.st.Answers[q.ID]
		switch {
		case !ok && final:
			continue
		case !ok, v.Kind == KindSkipped, v.Kind == KindText && q.choice():
			return 0, false
		}
		if s := answerScore(q, v); s != nil {
			sum += *s * weight(q.Weight)
			weights += weight(q.Weight)
		}
	}
	if weights == 0 {
		return 0, false
	}
	return sum / weights, true
}
