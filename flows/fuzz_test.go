package flows

import (
	"slices"
	"testing"
	"testing/fstest"
)

// FuzzDefinition feeds flow definition files to the parser and the lint:
// neither may panic, every problem names the file and says what is wrong,
// the lint gives the same answer twice, and Load accepts exactly the files
// the lint finds nothing wrong with.
func FuzzDefinition(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		name := "fuzzed.yaml"
		if def, _ := ParseDefinition(name, data); def != nil && def.ID != "" && len(def.ID) < 64 {
			name = def.ID + ".yaml" // give a good definition a matching file name
		}
		fsys := fstest.MapFS{name: {Data: data}}
		problems := Lint(fsys)
		for _, p := range problems {
			if p.File != name || p.Line < 0 || p.Message == "" {
				t.Fatalf("problem without file, line or message: %+v", p)
			}
		}
		if again := Lint(fsys); !slices.Equal(problems, again) {
			t.Fatalf("lint is not deterministic:\n%v\n%v", problems, again)
		}
		cat, err := Load(fsys)
		switch {
		case len(problems) > 0 && err == nil:
			t.Fatalf("Load accepted a file with problems: %v", problems)
		case len(problems) == 0 && err != nil:
			t.Fatalf("Load refused a file the lint accepts: %v", err)
		case err == nil:
			for _, d := range cat.List() {
				if d.ID == "" || d.Version <= 0 {
					t.Fatalf("loaded a definition without id or version: %+v", d)
				}
			}
		}
	})
}
