package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Langs are the languages a report is written in.
var Langs = []string{"fr", "en", "ar"}

// labels are the words of the rendered reports, by language. Figures are
// written with Western digits in every language, as in the forms managers
// fill in.
var labels = map[string]map[string]string{
	"fr": {
		"age_row": "Âge moyen (ans)", "medical_row": "Assistance médicale", "trafficking_row": "Victimes de traite (%s)",
		"title": "Suivi de la réintégration", "ytd": "%s migrants de retour assistés depuis le %s",
		"period": "%s migrants de retour assistés du %s au %s", "female": "Femmes", "male": "Hommes",
		"sex_split": "Répartition par sexe", "average_age": "Moyenne d'âge des bénéficiaires : %s ans",
		"medical":        "%s migrants de retour ont reçu une assistance médicale",
		"trafficking":    "%s victimes de traite identifiées (%s) ont été assistées",
		"host_countries": "Principaux pays d'accueil", "assistance": "Type d'assistance",
		"material": "Assistance matérielle", "microproject": "Micro-projets", "training": "Formation professionnelle",
		"sectors": "Micro-projets par secteur", "agriculture": "Agriculture", "services": "Prestation de services (transport, réparation…)",
		"commerce": "Commerce", "other": "Autres", "story": "Histoire de réussite", "followup": "Suivi",
		"sent": "Suivis envoyés", "completed": "Suivis complétés", "missed": "Suivis manqués", "response_rate": "Taux de réponse",
		"survival": "Projets en activité", "revenue": "Revenu mensuel médian (MAD)", "jobs": "Emplois créés",
		"who5": "Bien-être WHO-5 (moyenne sur 100)", "who5_low": "Part sous 50", "who5_28": "Part à 28 ou moins",
		"phq2": "Part PHQ-2 ≥ 3", "who5_change": "Évolution WHO-5 (première → dernière)", "composite": "Score composite de réintégration",
		"economic": "Dimension économique", "social": "Dimension sociale", "psychosocial": "Dimension psychosociale",
		"below": "Part sous le seuil", "remigration": "Part pensant repartir par nécessité",
		"alerts": "Alertes ouvertes / prises en charge / résolues", "ack": "Délai de prise en charge %s (heures, médiane / 90e centile)",
		"satisfaction": "Satisfaction (1 à 5)", "suppressed": "« <5 » : moins de 5 personnes, chiffre masqué.",
		"figure": "Indicateur", "value": "Valeur", "country": "Pays", "count": "Nombre", "sector": "Secteur",
		"urgent": "urgente", "high": "haute", "medium": "moyenne", "low": "basse", "scope": "Périmètre",
	},
	"en": {
		"age_row": "Average age (years)", "medical_row": "Medical assistance", "trafficking_row": "Victims of trafficking (%s)",
		"title": "Reintegration follow-up", "ytd": "%s returning migrants assisted since %s",
		"period": "%s returning migrants assisted from %s to %s", "female": "Women", "male": "Men",
		"sex_split": "Sex split", "average_age": "Average age of beneficiaries: %s years",
		"medical":        "%s returning migrants received medical assistance",
		"trafficking":    "%s victims of trafficking identified (%s) were assisted",
		"host_countries": "Main host countries", "assistance": "Type of assistance",
		"material": "Material assistance", "microproject": "Micro-projects", "training": "Vocational training",
		"sectors": "Micro-projects by sector", "agriculture": "Agriculture", "services": "Services (transport, repair…)",
		"commerce": "Commerce", "other": "Other", "story": "Success story", "followup": "Follow-up",
		"sent": "Check-ins sent", "completed": "Check-ins completed", "missed": "Check-ins missed", "response_rate": "Response rate",
		"survival": "Projects operating", "revenue": "Median monthly revenue (MAD)", "jobs": "Jobs created",
		"who5": "WHO-5 wellbeing (mean out of 100)", "who5_low": "Share below 50", "who5_28": "Share at 28 or below",
		"phq2": "Share PHQ-2 ≥ 3", "who5_change": "WHO-5 change (first → latest)", "composite": "Reintegration composite score",
		"economic": "Economic dimension", "social": "Social dimension", "psychosocial": "Psychosocial dimension",
		"below": "Share below threshold", "remigration": "Share thinking of leaving out of necessity",
		"alerts": "Alerts opened / acknowledged / resolved", "ack": "Time to acknowledge %s (hours, median / 90th percentile)",
		"satisfaction": "Satisfaction (1 to 5)", "suppressed": "\"<5\": fewer than 5 people, figure hidden.",
		"figure": "Indicator", "value": "Value", "country": "Country", "count": "Count", "sector": "Sector",
		"urgent": "urgent", "high": "high", "medium": "medium", "low": "low", "scope": "Scope",
	},
	"ar": {
		"age_row": "متوسط العمر (سنوات)", "medical_row": "مساعدة طبية", "trafficking_row": "ضحايا الاتجار بالبشر (%s)",
		"title": "متابعة إعادة الإدماج", "ytd": "%s من المهاجرين العائدين والعائدات تمت مساعدتهم منذ %s",
		"period": "%s من المهاجرين العائدين والعائدات تمت مساعدتهم من %s إلى %s", "female": "نساء", "male": "رجال",
		"sex_split": "التوزيع حسب الجنس", "average_age": "متوسط عمر المستفيدين والمستفيدات: %s سنة",
		"medical":        "%s من العائدين والعائدات تلقوا مساعدة طبية",
		"trafficking":    "%s من ضحايا الاتجار بالبشر تم التعرف عليهم (%s) وتمت مساعدتهم",
		"host_countries": "أهم بلدان الاستقبال", "assistance": "نوع المساعدة",
		"material": "مساعدة مادية", "microproject": "مشاريع صغيرة", "training": "تكوين مهني",
		"sectors": "المشاريع الصغيرة حسب القطاع", "agriculture": "الفلاحة", "services": "الخدمات (النقل، الإصلاح…)",
		"commerce": "التجارة", "other": "أخرى", "story": "قصة نجاح", "followup": "المتابعة",
		"sent": "المتابعات المرسلة", "completed": "المتابعات المكتملة", "missed": "المتابعات الفائتة", "response_rate": "نسبة الإجابة",
		"survival": "المشاريع التي تشتغل", "revenue": "الدخل الشهري الوسيط (درهم)", "jobs": "مناصب الشغل المحدثة",
		"who5": "الرفاه النفسي WHO-5 (المتوسط من 100)", "who5_low": "النسبة أقل من 50", "who5_28": "النسبة 28 أو أقل",
		"phq2": "النسبة PHQ-2 ≥ 3", "who5_change": "تطور WHO-5 (الأول ← الأخير)", "composite": "المؤشر المركب لإعادة الإدماج",
		"economic": "البعد الاقتصادي", "social": "البعد الاجتماعي", "psychosocial": "البعد النفسي والاجتماعي",
		"below": "النسبة تحت العتبة", "remigration": "نسبة من يفكرون في الرحيل اضطرارًا",
		"alerts": "التنبيهات المفتوحة / المتكفل بها / المغلقة", "ack": "مدة التكفل %s (ساعات، الوسيط / المئين 90)",
		"satisfaction": "الرضا (من 1 إلى 5)", "suppressed": "«<5»: أقل من 5 أشخاص، الرقم مخفي.",
		"figure": "المؤشر", "value": "القيمة", "country": "البلد", "count": "العدد", "sector": "القطاع",
		"urgent": "عاجلة", "high": "مرتفعة", "medium": "متوسطة", "low": "منخفضة", "scope": "النطاق",
	},
}

// countries names the host countries returnees come back from most often;
// other codes are shown as they are.
var countries = map[string][3]string{ // fr, en, ar
	"IT": {"Italie", "Italy", "إيطاليا"}, "GR": {"Grèce", "Greece", "اليونان"}, "ES": {"Espagne", "Spain", "إسبانيا"},
	"FR": {"France", "France", "فرنسا"}, "DE": {"Allemagne", "Germany", "ألمانيا"}, "BE": {"Belgique", "Belgium", "بلجيكا"},
	"NL": {"Pays-Bas", "Netherlands", "هولندا"}, "TR": {"Turquie", "Turkey", "تركيا"}, "LY": {"Libye", "Libya", "ليبيا"},
	"SE": {"Suède", "Sweden", "السويد"}, "CH": {"Suisse", "Switzerland", "سويسرا"}, "AT": {"Autriche", "Austria", "النمسا"},
	"NO": {"Norvège", "Norway", "النرويج"}, "MT": {"Malte", "Malta", "مالطا"}, "PT": {"Portugal", "Portugal", "البرتغال"},
	"CY": {"Chypre", "Cyprus", "قبرص"}, "DZ": {"Algérie", "Algeria", "الجزائر"}, "TN": {"Tunisie", "Tunisia", "تونس"},
	"NE": {"Niger", "Niger", "النيجر"}, "GB": {"Royaume-Uni", "United Kingdom", "المملكة المتحدة"},
}

// L is a language's words for the renderers.
type L struct{ lang string }

// Lang returns the words of lang, or an error naming the languages known.
func Lang(lang string) (L, error) {
	if _, ok := labels[lang]; !ok {
		return L{}, fmt.Errorf("language %q: expected one of %s", lang, strings.Join(Langs, ", "))
	}
	return L{lang}, nil
}

// T returns the label key, formatted with args when it has verbs.
func (l L) T(key string, args ...any) string {
	s, ok := labels[l.lang][key]
	if !ok {
		s = key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Country names a host country in the language, falling back to its code.
func (l L) Country(code string) string {
	n, ok := countries[code]
	if !ok {
		return code
	}
	return n[map[string]int{"fr": 0, "en": 1, "ar": 2}[l.lang]]
}

// Colon is what separates a label from its figure: French puts a space
// before the colon.
func (l L) Colon() string {
	if l.lang == "fr" {
		return " : "
	}
	return ": "
}

// Comma separates the items of a list: Arabic has its own comma.
func (l L) Comma() string {
	if l.lang == "ar" {
		return "، "
	}
	return ", "
}

// Date writes a day as 15/03/2026.
func (l L) Date(s string) string {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return s
	}
	return t.Format("02/01/2006")
}

// C writes a count, "<5" when suppressed.
func C(c Count) string {
	if c.Hidden {
		return "<5"
	}
	return strconv.Itoa(c.N)
}

// S writes a stat with the given decimals, "<5" when suppressed, "–" when
// there was nothing to compute it from.
func S(s Stat, decimals int) string {
	switch {
	case s.Hidden:
		return "<5"
	case !s.Valid:
		return "–"
	}
	return strconv.FormatFloat(s.Value, 'f', decimals, 64)
}

// Pct writes a share as a percentage.
func Pct(s Stat) string {
	if s.Hidden || !s.Valid {
		return S(s, 0)
	}
	return strconv.FormatFloat(s.Value*100, 'f', 0, 64) + " %"
}

// TopCountries returns at most n host countries, largest first.
func TopCountries(cs []CodeCount, n int) []CodeCount {
	if len(cs) > n {
		return cs[:n]
	}
	return cs
}
