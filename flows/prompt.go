package flows

// Prompt renders the question being asked again, in the state's language:
// for a reminder, a returnee who comes back later, or a change of language.
// It returns nothing for a finished conversation.
func Prompt(def *Definition, st State, env Env) []Message {
	q, ok := def.Question(st.Current)
	if !ok || st.Finished {
		return nil
	}
	r := newRun(def, st.clone(), env)
	return []Message{{Text: r.questionText(q), Buttons: r.keyboard(q)}}
}
