package flows

import (
	"strings"
	"testing"
)

// consentPoints are what a data-protection review asks the consent to say,
// each as words that must appear in each language (any one of a group).
var consentPoints = []struct {
	point string
	words map[string][]string
}{
	{"mood and wellbeing questions are asked", map[string][]string{
		"fr": {"moral", "bien-être"}, "ar": {"حالتك النفسية"}, "en": {"mood", "wellbeing"}}},
	{"they are health data", map[string][]string{
		"fr": {"santé"}, "ar": {"صحتك"}, "en": {"health"}}},
	{"a worrying answer makes the case worker call", map[string][]string{
		"fr": {"inquiétante", "vous appelle"}, "ar": {"القلق", "يتصل بك"}, "en": {"worrying", "calls you"}}},
	{"who sees what", map[string][]string{
		"fr": {"Qui voit quoi", "responsable", "seulement des chiffres"}, "ar": {"من يرى ماذا", "مسؤوله", "أرقامًا فقط"},
		"en": {"Who sees what", "supervisor", "only see figures"}}},
	{"how long it is kept", map[string][]string{
		"fr": {"24 mois après la fin du suivi"}, "ar": {"\u206824\u2069 شهرًا بعد نهاية المتابعة"}, "en": {"24 months after the end of the follow-up"}}},
	{"answering is voluntary", map[string][]string{
		"fr": {"Répondre est libre"}, "ar": {"الإجابة اختيارية"}, "en": {"Answering is your choice"}}},
	{"refusing or stopping changes nothing to the assistance", map[string][]string{
		"fr": {"refusez", "arrêtez", "l'aide que vous recevez ne change pas"}, "ar": {"رفضت", "توقفت", "لا يتغيّر شيء في المساعدة"},
		"en": {"say no", "stop", "the help you receive does not change"}}},
	{"how to use /mydata and /delete", map[string][]string{
		"fr": {"tapez /mydata", "tapez /delete"}, "ar": {"\u2068/mydata\u2069", "لحذفها: \u2068/delete\u2069"}, "en": {"type /mydata", "type /delete"}}},
	{"about once a month", map[string][]string{
		"fr": {"Environ une fois par mois, ou moins"}, "ar": {"مرة في الشهر تقريبًا أو أقل"}, "en": {"About once a month or less"}}},
	{"a de-identified statistical record stays after /delete", map[string][]string{
		"fr": {"Après /delete", "sexe", "âge au retour", "mois du retour", "pays d'accueil", "région", "programme", "aide reçue", "secteur", "vulnérabilités", "Sans nom", "sans compte Telegram", "sans vos réponses écrites"},
		"ar": {"بعد \u2068/delete\u2069", "الجنس", "السن عند العودة", "شهر العودة", "بلد الهجرة", "الجهة", "البرنامج", "المساعدة", "القطاع", "الهشاشة", "بدون اسم", "بدون حساب تيليغرام", "بدون أجوبتك المكتوبة"},
		"en": {"After /delete", "sex", "age at return", "month of return", "host country", "region", "programme", "assistance received", "sector", "vulnerabilities", "No name", "no Telegram account", "none of your written answers"}}},
}

// consentText is the consent question as a returnee sees it in lang.
func consentText(t *testing.T, lang string, env Env) string {
	t.Helper()
	def := flow(t, "onboarding")
	res := Step(def, Start(def, lang, env).State, press("language", lang), env)
	if res.State.Current != "consent" || len(res.Messages) != 1 {
		t.Fatalf("%s: after the language, %q with %+v", lang, res.State.Current, res.Messages)
	}
	return res.Messages[0].Text
}

func TestConsentSaysEveryRequiredPointInEveryLanguage(t *testing.T) {
	for _, lang := range langs {
		text := consentText(t, lang, testEnv())
		for _, p := range consentPoints {
			for _, w := range p.words[lang] {
				if !strings.Contains(text, w) {
					t.Errorf("%s consent does not say %q (%s):\n%s", lang, w, p.point, text)
				}
			}
		}
		if strings.Contains(text, "{") {
			t.Errorf("%s consent has a placeholder left: %s", lang, text)
		}
	}
}

// The retention the consent states is the configured one.
func TestConsentStatesTheConfiguredRetention(t *testing.T) {
	env := testEnv()
	env.RetentionMonths = 36
	for lang, want := range map[string]string{"fr": "36 mois après", "ar": "\u206836\u2069 شهرًا", "en": "36 months after"} {
		if text := consentText(t, lang, env); !strings.Contains(text, want) {
			t.Errorf("%s consent with 36 months: %q lacks %q", lang, text, want)
		}
	}
}
