package report

import (
	"reflect"
	"sort"
	"strings"
)

var (
	countType     = reflect.TypeOf(Count{})
	statType      = reflect.TypeOf(Stat{})
	codeCountType = reflect.TypeOf(CodeCount{})
)

// Suppress hides every figure about fewer than MinCell people (a count of 1
// to 4, a mean or share over fewer than MinCell people) and returns the
// JSON paths it hid, sorted. Zero is shown: it names no one. It walks the
// whole factsheet, so a figure added later is covered without a line here.
func Suppress(f *Factsheet) []string {
	var paths []string
	walk(reflect.ValueOf(f).Elem(), "", &paths)
	complementary(f, &paths)
	sort.Strings(paths)
	return paths
}

// part is one cell of a total that is published with its parts.
type part struct {
	c    *Count
	path string
}

// complementary hides a second part of a total when only one is hidden,
// since the total minus the others would give it away: the smallest other
// part that is not zero.
func complementary(f *Factsheet, paths *[]string) {
	y, p, m := &f.YearToDate, &f.Period, &f.Period.Microprojects
	groups := [][]part{
		{{&y.Female, "year_to_date.female"}, {&y.Male, "year_to_date.male"}},
		{{&p.Female, "period.female"}, {&p.Male, "period.male"}},
		{{&m.Agriculture, "period.microprojects.agriculture"}, {&m.Services, "period.microprojects.services"},
			{&m.Commerce, "period.microprojects.commerce"}, {&m.Other, "period.microprojects.other"}},
	}
	var hosts []part
	for i := range y.HostCountries {
		c := &y.HostCountries[i]
		hosts = append(hosts, part{&c.Count, "year_to_date.host_countries." + c.Code})
	}
	groups = append(groups, hosts)
	for _, g := range groups {
		hidden, next := 0, -1
		for i, pt := range g {
			switch {
			case pt.c.Hidden:
				hidden++
			case pt.c.N > 0 && (next < 0 || pt.c.N < g[next].c.N):
				next = i
			}
		}
		if hidden == 1 && next >= 0 {
			g[next].c.Hidden = true
			*paths = append(*paths, g[next].path)
		}
	}
	for i := range y.HostCountries {
		y.HostCountries[i].Suppressed = y.HostCountries[i].Count.Hidden
	}
}

// Small reports whether a count is about fewer than MinCell people.
func Small(n int) bool { return n > 0 && n < MinCell }

func walk(v reflect.Value, path string, paths *[]string) bool {
	switch v.Type() {
	case countType:
		if c := v.Addr().Interface().(*Count); Small(c.N) {
			c.Hidden = true
			*paths = append(*paths, path)
			return true
		}
		return false
	case statType:
		if s := v.Addr().Interface().(*Stat); s.Valid && s.Base < MinCell {
			s.Hidden = true
			*paths = append(*paths, path)
			return true
		}
		return false
	case codeCountType:
		c := v.Addr().Interface().(*CodeCount)
		c.Suppressed = walk(v.FieldByName("Count"), path, paths)
		return c.Suppressed
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walk(v.Elem(), path, paths)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			name := strings.Split(t.Field(i).Tag.Get("json"), ",")[0]
			if name == "" || name == "-" || !t.Field(i).IsExported() {
				continue
			}
			walk(v.Field(i), join(path, name), paths)
		}
	case reflect.Slice:
		for i := range v.Len() {
			e := v.Index(i)
			key := ""
			switch x := e.Interface().(type) {
			case CodeCount:
				key = x.Code
			case MonthValue:
				key = x.Month
			}
			walk(e, join(path, key), paths)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := v.MapIndex(k)
			if e.Kind() == reflect.Pointer {
				walk(e, join(path, k.String()), paths)
				continue
			}
			cp := reflect.New(e.Type()).Elem()
			cp.Set(e)
			walk(cp, join(path, k.String()), paths)
			v.SetMapIndex(k, cp)
		}
	}
	return false
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
