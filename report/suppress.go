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
	sort.Strings(paths)
	return paths
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
