package flows

import (
	"cmp"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Problem is something wrong in a definition or texts file, with where it is
// and how to fix it, in words an M&E officer can act on.
type Problem struct {
	File    string
	Line    int
	Message string
	Fix     string
}

// String formats the problem as "file:line: message — fix: …".
func (p Problem) String() string {
	s := fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	if p.Fix != "" {
		s += " — fix: " + p.Fix
	}
	return s
}

// LintError is the error of a load refused because of problems.
type LintError struct {
	Problems []Problem
}

// Error lists every problem, one a line.
func (e *LintError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("%d problem(s) in flow definitions:\n%s", len(e.Problems), strings.Join(lines, "\n"))
}

// fileName is how a definition file is named: "<id>.yaml" for the current
// version, "<id>.v<version>.yaml" for an older one kept for check-ins in
// progress.
var fileName = regexp.MustCompile(`^([a-z][a-z0-9_]*?)(?:\.v([0-9]+))?\.yaml$`)

// Lint checks every definition file (*.yaml) and the texts catalog
// (texts.yaml) at the top of fsys, and what only shows across files:
// duplicate flow versions and file names that do not match their content.
func Lint(fsys fs.FS) []Problem {
	_, _, problems := parseFS(fsys)
	return problems
}

// parseFS reads and checks all files of fsys.
func parseFS(fsys fs.FS) ([]*Definition, *Texts, []Problem) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, nil, []Problem{{File: ".", Message: err.Error()}}
	}
	var (
		defs     []*Definition
		texts    *Texts
		problems []Problem
	)
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			problems = append(problems, Problem{File: name, Message: "cannot read: " + err.Error()})
			continue
		}
		if name == TextsFile {
			t, ps := parseTexts(name, data)
			texts, problems = t, append(problems, ps...)
			continue
		}
		def, ps := ParseDefinition(name, data)
		problems = append(problems, ps...)
		if def == nil {
			continue
		}
		problems = append(problems, checkFileName(name, def)...)
		defs = append(defs, def)
	}
	problems = append(problems, checkVersions(defs)...)
	problems = append(problems, checkReuseAcross(defs)...)
	slices.SortStableFunc(problems, func(a, b Problem) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	return defs, texts, problems
}

func checkFileName(name string, def *Definition) []Problem {
	m := fileName.FindStringSubmatch(path.Base(name))
	want := fmt.Sprintf("%s.yaml, or %s.v%d.yaml for a version kept for check-ins in progress", def.ID, def.ID, def.Version)
	switch {
	case m == nil || m[1] != def.ID:
		return []Problem{{File: name, Line: 1, Message: fmt.Sprintf("file name does not match flow id %q", def.ID), Fix: "name it " + want}}
	case m[2] != "" && m[2] != strconv.Itoa(def.Version):
		return []Problem{{File: name, Line: 1, Message: fmt.Sprintf("file name says version %s, the file says %d", m[2], def.Version), Fix: "name it " + want}}
	}
	return nil
}

// checkVersions finds two files with the same flow id and version, and a
// current file (<id>.yaml) that is older than a kept version.
func checkVersions(defs []*Definition) []Problem {
	var problems []Problem
	seen := map[string]*Definition{}
	latest := map[string]int{}
	for _, d := range defs {
		key := fmt.Sprintf("%s v%d", d.ID, d.Version)
		if first, dup := seen[key]; dup {
			problems = append(problems, Problem{File: d.File, Line: 1,
				Message: fmt.Sprintf("duplicate flow id %q version %d (also in %s)", d.ID, d.Version, first.File),
				Fix:     "give one of them a new version number, or remove it"})
			continue
		}
		seen[key] = d
		latest[d.ID] = max(latest[d.ID], d.Version)
	}
	for _, d := range defs {
		if path.Base(d.File) == d.ID+".yaml" && d.Version < latest[d.ID] {
			problems = append(problems, Problem{File: d.File, Line: 1,
				Message: fmt.Sprintf("%s is version %d but version %d exists", d.File, d.Version, latest[d.ID]),
				Fix:     d.ID + ".yaml holds the newest version; older ones go in " + d.ID + ".v<N>.yaml"})
		}
	}
	return problems
}
