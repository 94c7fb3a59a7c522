package sandbox

// Person is someone the page plays, or a returnee with history: the
// Telegram account the fake Bot API knows them by, and who they are in
// Suivi (a returnee's reference, a staff member's handle). Names are the
// fake accounts' profile names, made up for the demonstration.
type Person struct {
	Role       string `json:"role"` // returnee, caseworker, supervisor, manager
	Key        string `json:"key"`  // returnee reference or staff handle
	Name       string `json:"name"`
	TelegramID int64  `json:"telegram_id"`
	Lang       string `json:"lang"`
	Token      string `json:"token,omitempty"` // a returnee's invitation: send /start TOKEN
}

// People are everyone the seed created a Telegram account for.
type People struct {
	Returnees []Person `json:"returnees"` // played in the page, not yet enrolled
	Staff     []Person `json:"staff"`     // case worker, supervisor, manager
	History   []Person `json:"history"`   // enrolled months ago, with answers
}

// all lists every person with a Telegram account.
func (p People) all() []Person {
	out := append([]Person(nil), p.Returnees...)
	out = append(out, p.Staff...)
	return append(out, p.History...)
}

// byRole finds the staff member with role.
func (p People) byRole(role string) (Person, bool) {
	for _, s := range p.Staff {
		if s.Role == role {
			return s, true
		}
	}
	return Person{}, false
}

// demoStaff are the staff accounts: the supervisor first, as the case
// worker names them.
var demoStaff = []Person{
	{Role: "supervisor", Key: "sup.youssef", Name: "Youssef (supervisor)", TelegramID: 7002, Lang: "fr"},
	{Role: "caseworker", Key: "cw.karima", Name: "Karima (case worker)", TelegramID: 7001, Lang: "fr"},
	{Role: "manager", Key: "mgr.claire", Name: "Claire (manager)", TelegramID: 7003, Lang: "en"},
}

// demoReturnee is a returnee of the seed; daysAgo is the return date.
type demoReturnee struct {
	Person
	sex, region, sector, host string
	daysAgo                   int
	profile                   profile
	missed                    int // month of a missed project check-in (0: none)
}

// demoReturnees are played in the page: they returned a few weeks ago, so
// their first monthly check-ins come within the sandbox's first week.
var demoReturnees = []demoReturnee{
	{Person: Person{Role: "returnee", Key: "SBX-FR-01", Name: "Awa", TelegramID: 9001, Lang: "fr"}, sex: "F", region: "Oriental", sector: "commerce", host: "Libya", daysAgo: 27},
	{Person: Person{Role: "returnee", Key: "SBX-AR-01", Name: "Youness", TelegramID: 9002, Lang: "ar"}, sex: "M", region: "Souss-Massa", sector: "agriculture", host: "Algeria", daysAgo: 25},
	{Person: Person{Role: "returnee", Key: "SBX-EN-01", Name: "Grace", TelegramID: 9003, Lang: "en"}, sex: "F", region: "Casablanca-Settat", sector: "services", host: "Niger", daysAgo: 20},
}

// historyReturnees enrolled months ago and answered their check-ins, so
// the manager's figures are not empty.
var historyReturnees = []demoReturnee{
	{Person: Person{Role: "returnee", Key: "SBX-H-01", Name: "Fatima", TelegramID: 9101, Lang: "fr"}, sex: "F", region: "Oriental", sector: "commerce", host: "Libya", daysAgo: 200, profile: profileWell},
	{Person: Person{Role: "returnee", Key: "SBX-H-02", Name: "Omar", TelegramID: 9102, Lang: "ar"}, sex: "M", region: "Fès-Meknès", sector: "agriculture", host: "Algeria", daysAgo: 190, profile: profileWell, missed: 3},
	{Person: Person{Role: "returnee", Key: "SBX-H-03", Name: "Khadija", TelegramID: 9103, Lang: "ar"}, sex: "F", region: "Souss-Massa", sector: "crafts", host: "Libya", daysAgo: 170, profile: profileStruggling},
	{Person: Person{Role: "returnee", Key: "SBX-H-04", Name: "Moussa", TelegramID: 9104, Lang: "fr"}, sex: "M", region: "Casablanca-Settat", sector: "services", host: "Niger", daysAgo: 160, profile: profileMixed},
	{Person: Person{Role: "returnee", Key: "SBX-H-05", Name: "Hind", TelegramID: 9105, Lang: "en"}, sex: "F", region: "Rabat-Salé-Kénitra", sector: "commerce", host: "Tunisia", daysAgo: 130, profile: profileWell, missed: 2},
	{Person: Person{Role: "returnee", Key: "SBX-H-06", Name: "Said", TelegramID: 9106, Lang: "fr"}, sex: "M", region: "Oriental", sector: "transport", host: "Libya", daysAgo: 100, profile: profileMixed},
}
