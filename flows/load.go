package flows

import (
	"cmp"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

//go:embed definitions/*.yaml
var embedded embed.FS

// EmbeddedFS returns the definitions shipped in the binary (for lint and
// inspection).
func EmbeddedFS() fs.FS {
	sub, err := fs.Sub(embedded, "definitions")
	if err != nil {
		panic("flows: " + err.Error())
	}
	return sub
}

// Catalog holds every loaded version of every flow, and the texts catalog.
// It is immutable once loaded and safe to share.
type Catalog struct {
	flows map[string][]*Definition // id → versions, oldest first
	Texts *Texts
}

// Get returns one version of a flow: a check-in in progress keeps the version
// it started with.
func (c *Catalog) Get(id string, version int) (*Definition, bool) {
	for _, d := range c.flows[id] {
		if d.Version == version {
			return d, true
		}
	}
	return nil, false
}

// Latest returns the newest version of a flow, the one new check-ins use.
func (c *Catalog) Latest(id string) (*Definition, bool) {
	vs := c.flows[id]
	if len(vs) == 0 {
		return nil, false
	}
	return vs[len(vs)-1], true
}

// List returns every loaded definition, sorted by id then version.
func (c *Catalog) List() []*Definition {
	var all []*Definition
	for _, vs := range c.flows {
		all = append(all, vs...)
	}
	slices.SortFunc(all, func(a, b *Definition) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Version, b.Version))
	})
	return all
}

// Load reads the definitions and texts at the top of fsys and refuses them
// all, with a *LintError listing every problem, if any has one. Texts absent
// from fsys (or some of their keys) come from the embedded catalog.
func Load(fsys fs.FS) (*Catalog, error) {
	defs, texts, problems := parseFS(fsys)
	if len(problems) > 0 {
		return nil, &LintError{Problems: problems}
	}
	c := &Catalog{flows: map[string][]*Definition{}, Texts: embeddedTexts().With(texts)}
	c.add(defs)
	return c, nil
}

func (c *Catalog) add(defs []*Definition) {
	for _, d := range defs {
		vs := slices.DeleteFunc(c.flows[d.ID], func(o *Definition) bool { return o.Version == d.Version })
		vs = append(vs, d)
		slices.SortFunc(vs, func(a, b *Definition) int { return cmp.Compare(a.Version, b.Version) })
		c.flows[d.ID] = vs
	}
}

// LoadEmbedded loads the definitions shipped in the binary.
func LoadEmbedded() (*Catalog, error) {
	c, err := Load(EmbeddedFS())
	if err != nil {
		return nil, fmt.Errorf("load embedded flows: %w", err)
	}
	for _, k := range RequiredTexts {
		if !c.Texts.Has(k) {
			return nil, fmt.Errorf("load embedded flows: texts.yaml lacks %q", k)
		}
	}
	return c, nil
}

// LoadDir loads the embedded definitions, then those of dir (SUIVI_FLOWS_DIR)
// over them: a file with the same flow id and version replaces the embedded
// one, other versions and flows are added (so check-ins in progress keep
// theirs), and the keys of dir's texts.yaml replace the embedded ones. An
// empty dir loads the embedded definitions only.
func LoadDir(dir string) (*Catalog, error) {
	c, err := LoadEmbedded()
	if err != nil || dir == "" {
		return c, err
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("load flows from %s: not a readable directory", dir)
	}
	defs, texts, problems := parseFS(os.DirFS(dir))
	if len(problems) > 0 {
		for i := range problems {
			problems[i].File = filepath.Join(dir, problems[i].File)
		}
		return nil, fmt.Errorf("load flows from %s: %w", dir, &LintError{Problems: problems})
	}
	c.Texts = c.Texts.With(texts)
	c.add(defs)
	return c, nil
}
