package followup

import (
	"encoding/json"

	"suivi/flows"
	"suivi/storage"
)

// alertArgs are the parameters each alert text takes, in the order of its
// %s verbs in the texts catalog.
var alertArgs = map[string][]string{
	TextUndeliverable: {"reason"},
	TextLegacy:        {"text"},
	TextFlowRuleGone:  {"flow", "rule"},
	TextMessage:       {"text"},
}

// RenderAlert gives an alert's text in lang (fr, ar or en). A flow rule's
// text comes from the flow version that raised it, then from the flow's
// latest version; when neither has the rule any more, a plain sentence names
// the flow and the rule, so nothing is shown empty.
func RenderAlert(cat *flows.Catalog, lang string, a storage.Alert) string {
	var params map[string]any
	_ = json.Unmarshal(a.Params, &params) // a broken object renders with empty parameters
	str := func(k string) string {
		s, _ := params[k].(string)
		return s
	}
	if a.TextKey == TextFlowRule {
		flow, rule := str("flow"), str("rule")
		version, _ := params["version"].(float64)
		if text := flowRuleText(cat, flow, int(version), rule, lang); text != "" {
			return text
		}
		return cat.Texts.Get(lang, TextFlowRuleGone, flow, rule)
	}
	names := alertArgs[a.TextKey]
	args := make([]any, len(names))
	for i, n := range names {
		args[i] = str(n)
	}
	return cat.Texts.Get(lang, a.TextKey, args...)
}

func flowRuleText(cat *flows.Catalog, flow string, version int, rule, lang string) string {
	defs := []*flows.Definition{}
	if d, ok := cat.Get(flow, version); ok {
		defs = append(defs, d)
	}
	if d, ok := cat.Latest(flow); ok {
		defs = append(defs, d)
	}
	for _, d := range defs {
		for _, r := range d.Alerts {
			if r.ID == rule {
				return r.Message.In(lang)
			}
		}
	}
	return ""
}
