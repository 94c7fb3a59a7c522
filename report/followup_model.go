package report

// FollowUp is the third block: the monitoring indicators of the period, in
// total and broken down by each dimension.
type FollowUp struct {
	Total     Indicators                        `json:"total"`
	Breakdown map[string]map[string]*Indicators `json:"breakdown"` // dimension → group → indicators
}

// Dimensions are what indicators are broken down by, in report order.
var Dimensions = []string{"sex", "age_band", "region", "host_country", "programme", "sector"}

// Indicators are the follow-up figures of one group of people.
type Indicators struct {
	Reach         Reach         `json:"reach"`
	Project       Project       `json:"project"`
	Wellbeing     Wellbeing     `json:"wellbeing"`
	Reintegration Reintegration `json:"reintegration"`
	Alerts        Alerts        `json:"alerts"`
	Satisfaction  Satisfaction  `json:"satisfaction"`
}

// Reach counts the check-ins due in the period. The response rate is
// completed / (completed + missed): paused, skipped and cancelled occasions
// are left out.
type Reach struct {
	People       Count `json:"people"`
	Sent         Count `json:"sent"`
	Completed    Count `json:"completed"`
	Missed       Count `json:"missed"`
	ResponseRate Stat  `json:"response_rate"`
}

// Project is about micro-project holders who answered a project check-in in
// the period, as of their latest answer.
type Project struct {
	Holders       Count        `json:"holders"`
	Operating     Count        `json:"operating"`
	Survival      Stat         `json:"survival"`
	RevenueMedian Stat         `json:"revenue_median_mad"`
	RevenueTrend  []MonthValue `json:"revenue_trend"`
	JobsCreated   Count        `json:"jobs_created"`
}

// MonthValue is a month's median revenue.
type MonthValue struct {
	Month string `json:"month"`
	Value Stat   `json:"median_mad"`
}

// Wellbeing is about WHO-5 and PHQ-2 screenings completed in the period.
type Wellbeing struct {
	Screenings Count `json:"screenings"`
	WHO5Mean   Stat  `json:"who5_mean"`
	Below50    Stat  `json:"who5_below_50_share"`
	AtMost28   Stat  `json:"who5_at_most_28_share"`
	PHQ2Pos    Stat  `json:"phq2_positive_share"`
	Change     Stat  `json:"who5_change_first_to_latest"`
}

// Reintegration is about reintegration surveys completed in the period.
type Reintegration struct {
	Surveys       Count `json:"surveys"`
	Economic      Stat  `json:"economic"`
	Social        Stat  `json:"social"`
	Psychosocial  Stat  `json:"psychosocial"`
	Composite     Stat  `json:"composite"`
	BelowShare    Stat  `json:"below_threshold_share"`
	RemigrationBy Stat  `json:"remigration_necessity_share"`
	Remigration   Stat  `json:"remigration_any_share"`
}

// Alerts counts alerts raised in the period and how fast they were
// acknowledged, by severity.
type Alerts struct {
	Opened       Count                  `json:"opened"`
	Acknowledged Count                  `json:"acknowledged"`
	Resolved     Count                  `json:"resolved"`
	BySeverity   map[string]AlertTiming `json:"by_severity"`
}

// AlertTiming is the time to acknowledge of one severity, in hours.
type AlertTiming struct {
	Opened Count `json:"opened"`
	P50    Stat  `json:"ack_hours_p50"`
	P90    Stat  `json:"ack_hours_p90"`
}

// Satisfaction is the mean satisfaction (1 to 5) given in the period.
type Satisfaction struct {
	Answers Count `json:"answers"`
	Mean    Stat  `json:"mean_1_to_5"`
}

// Severities in report order.
var Severities = []string{"urgent", "high", "medium", "low"}
