package flows

import "testing"

func TestConditions(t *testing.T) {
	s := scope{
		answers: map[string]Value{
			"status":       {Kind: KindOption, Option: "closed"},
			"covers":       {Kind: KindOption, Option: "no"},
			"revenue":      {Kind: KindNumber, Number: 1500},
			"who5_1":       {Kind: KindNumber, Number: 4},
			"who5_2":       {Kind: KindNumber, Number: 1},
			"who5_3":       {Kind: KindSkipped},
			"difficulties": {Kind: KindOptions, Options: []string{"money", "health"}},
			"since":        {Kind: KindDate, Date: "2026-03-15"},
			"sat":          {Kind: KindOption, Option: "4"},
		},
		computed: map[string]float64{"who5_percent": 44},
	}
	tests := []struct {
		src  string
		want bool
	}{
		{`status == "closed"`, true},
		{`status = "closed"`, true}, // a single = is forgiven
		{`status != "closed"`, false},
		{`status == 'closed'`, true},
		{`status in ("operating", "paused")`, false},
		{`status in ("closed", "paused")`, true},
		{`not status in ("operating", "paused")`, true},
		{`revenue > 0 and covers == "no"`, true},
		{`revenue > 2000 or covers == "yes"`, false},
		{`who5_percent < 50 or min(who5_1, who5_2, who5_3) <= 1`, true},
		{`min(who5_1, who5_3) <= 1`, false},          // the skipped item is left out
		{`who5_3 == 0`, false},                       // a skipped question compares false
		{`who5_3 != 0`, false},                       // … whatever the comparison
		{`who5_3 >= 0`, false},                       //
		{`sum(who5_1, who5_3) >= 0`, false},          // sum of a skipped item has no value
		{`sum(who5_1, who5_2) * 4 == 20`, true},      //
		{`(who5_1 + who5_2) * 4 == 20`, true},        //
		{`who5_1 + who5_2 * 4 == 8`, true},           // precedence
		{`-who5_1 < 0`, true},                        //
		{`count(who5_1, who5_2, who5_3) == 2`, true}, //
		{`max(who5_1, who5_2) == 4`, true},           //
		{`answered(who5_1)`, true},                   //
		{`answered(who5_3)`, false},                  //
		{`skipped(who5_3)`, true},                    //
		{`answered(nothing)`, false},                 //
		{`difficulties includes "money"`, true},      //
		{`difficulties includes "customers"`, false},
		{`difficulties == "money"`, false}, // a list is not a value
		{`since < "2026-04-01"`, true},     // dates compare as text
		{`sat >= 4`, true},                 // a numeric option value compares as a number
		{`sat == 4`, true},                 //
		{`unknown == "x"`, false},          // not answered
		{`revenue / 0 > 1`, false},         // no value
		{`who5_percent`, true},             // a non-zero number holds
		{`true and not false`, true},       //
	}
	for _, tt := range tests {
		n, err := parseExpr(tt.src)
		if err != nil {
			t.Errorf("parseExpr(%q): %v", tt.src, err)
			continue
		}
		e := &Expr{Src: tt.src, root: n}
		if got := e.holds(s); got != tt.want {
			t.Errorf("%s = %v, want %v", tt.src, got, tt.want)
		}
	}
}

func TestConditionSyntaxErrors(t *testing.T) {
	for _, src := range []string{
		`status ==`,
		`status == "closed`,
		`(status == "closed"`,
		`status == "closed" "paused"`,
		`status in "closed"`,
		`average(a, b)`,
		`answered(1)`,
		`answered(a, b)`,
		`status && closed`,
		`and status`,
		`1..2 > 0`,
	} {
		if _, err := parseExpr(src); err == nil {
			t.Errorf("parseExpr(%q) accepted", src)
		}
	}
}

func TestFormulaValues(t *testing.T) {
	s := scope{answers: map[string]Value{"a": {Kind: KindNumber, Number: 3}}}
	for _, tt := range []struct {
		src  string
		want float64
		ok   bool
	}{
		{"a * 4", 12, true},
		{"a > 2", 1, true},
		{"a > 5", 0, true},
		{"b * 4", 0, false},
	} {
		n, err := parseExpr(tt.src)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := (&Expr{root: n}).number(s)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s = %v, %v; want %v, %v", tt.src, got, ok, tt.want, tt.ok)
		}
	}
}
