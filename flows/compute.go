package flows

// recompute refreshes the computed values after an answer: dimension scores,
// composite and sustainable flag (when the flow has scoring), then formulas in
// file order. Values that are new or changed go to the result.
func (r *run) recompute() {
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
		for _, dim := range s.Dimensions {
			v, ok := r.dimensionScore(dim.ID)
			set(dim.ID, v, ok)
			if ok {
				sum += v * weight(dim.Weight)
				weights += weight(dim.Weight)
			}
		}
		composite, ok := 0.0, weights > 0
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
// answered questions; skipped ones are left out.
func (r *run) dimensionScore(dim string) (float64, bool) {
	var sum, weights float64
	for _, q := range r.def.Questions {
		if q.Dimension != dim {
			continue
		}
		v, ok := r.st.Answers[q.ID]
		if !ok {
			continue
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
