package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"suivi/flows"
)

// flowFiles is the definitions as the service loads them: the embedded
// files, with those of dir in their place or beside them.
func flowFiles(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	add := func(fsys fs.FS, where string) error {
		names, err := fs.Glob(fsys, "*.yaml")
		if err != nil {
			return err
		}
		for _, name := range names {
			data, err := fs.ReadFile(fsys, name)
			if err != nil {
				return fmt.Errorf("read %s: %w", filepath.Join(where, name), err)
			}
			files[name] = data
		}
		return nil
	}
	if err := add(flows.EmbeddedFS(), "embedded definitions"); err != nil {
		return nil, err
	}
	if dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, usagef("%s is not a readable directory", dir)
		}
		if err := add(os.DirFS(dir), dir); err != nil {
			return nil, err
		}
	}
	return files, nil
}
