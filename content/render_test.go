package content_test

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"

	"github.com/m4pris/mentorbot/content"
)

// reference renders UI strings the way the catalog did before it had its own templates: go-i18n's localizer with
// text/template, and the same fallback (the language, then English, then the id).
type reference struct {
	locs map[string]*i18n.Localizer
	ids  map[string]map[string]bool
}

func newReference(t *testing.T, fsys fs.FS) (*reference, []string) {
	t.Helper()
	bundle := i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	r := &reference{locs: map[string]*i18n.Localizer{}, ids: map[string]map[string]bool{}}
	files, err := fs.Glob(fsys, "ui/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var sources []string
	for _, f := range files {
		lang := strings.TrimSuffix(path.Ext(strings.TrimSuffix(f, ".yaml")), "")[1:]
		mf, err := bundle.LoadMessageFileFS(fsys, f)
		if err != nil {
			t.Fatal(err)
		}
		if r.ids[lang] == nil {
			r.ids[lang] = map[string]bool{}
		}
		for _, m := range mf.Messages {
			r.ids[lang][m.ID] = true
			sources = append(sources, m.Zero, m.One, m.Two, m.Few, m.Many, m.Other)
		}
	}
	for _, l := range content.Languages {
		r.locs[l] = i18n.NewLocalizer(bundle, l)
	}
	return r, sources
}

func (r *reference) render(lang, id string, count any, data map[string]any) string {
	for _, l := range []string{lang, "en"} {
		loc := r.locs[l]
		if loc == nil || !r.ids[l][id] {
			continue
		}
		if s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count}); err == nil {
			return s
		}
	}
	return id
}

type stringer struct{ s string }

func (s *stringer) String() string { return "stringer:" + s.s }

// dataSets fill every field the templates use with values of many kinds, true and false ones, and leave them
// out.
func dataSets(fields []string) []map[string]any {
	n := 42
	values := []func(i int) any{
		func(i int) any { return fmt.Sprintf("v%d", i) },
		func(i int) any { return "" },
		func(i int) any { return i },
		func(i int) any { return 0 },
		func(i int) any { return i%2 == 0 },
		func(i int) any { return time.Weekday(i % 7) },
		func(i int) any { return &n },
		func(i int) any { return &stringer{"x"} },
		func(i int) any { return []string{"a", "b"}[:i%3%2] },
		func(i int) any { return 2.5 },
		func(i int) any { return errors.New("an error") },
		func(i int) any { return nil },
	}
	sets := []map[string]any{nil, {}}
	for k, v := range values {
		d := map[string]any{}
		for i, f := range fields {
			d[f] = v(i + k)
		}
		sets = append(sets, d)
	}
	return sets
}

// TestRenderMatchesTextTemplate renders every UI string in every language, with and without counts, with many
// kinds of data, and compares the catalog's output with go-i18n and text/template's.
func TestRenderMatchesTextTemplate(t *testing.T) {
	ref, sources := newReference(t, content.FS())
	c := content.MustDefault()
	fieldRE := regexp.MustCompile(`\.([A-Za-z_][A-Za-z0-9_]*)`)
	seen := map[string]bool{}
	var fields []string
	for _, s := range sources {
		for _, m := range fieldRE.FindAllStringSubmatch(s, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				fields = append(fields, m[1])
			}
		}
	}
	sets := dataSets(fields)
	compared := 0
	for lang, ids := range ref.ids {
		for id := range ids {
			for _, data := range sets {
				if got, want := c.T(lang, id, clone(data)), ref.render(lang, id, nil, clone(data)); got != want {
					t.Fatalf("T(%s, %s, %v):\n got %q\nwant %q", lang, id, data, got, want)
				}
				compared++
			}
			for _, n := range []int{-2, -1, 0, 1, 2, 3, 5, 11, 19, 20, 21, 100, 101, 102, 119, 120, 1000, 1001} {
				d := clone(sets[2])
				want := ref.render(lang, id, n, withCount(d, n))
				if got := c.N(lang, id, n, clone(sets[2])); got != want {
					t.Fatalf("N(%s, %s, %d):\n got %q\nwant %q", lang, id, n, got, want)
				}
				compared++
			}
		}
	}
	if compared < 10000 {
		t.Fatalf("only %d renderings compared", compared)
	}
}

// uiOnly is the embedded content with its UI strings replaced by ui (lessons and instruments stay, for their
// checks).
func uiOnly(t *testing.T, ui map[string]string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	err := fs.WalkDir(content.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(p, "ui/") {
			return err
		}
		b, err := fs.ReadFile(content.FS(), p)
		fsys[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range ui {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

func clone(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func withCount(d map[string]any, n int) map[string]any {
	if d == nil {
		d = map[string]any{}
	}
	d["Count"] = n
	return d
}

// TestPluralFormsMatchCLDR compares the catalog's plural choice with go-i18n's CLDR rules for many counts.
func TestPluralFormsMatchCLDR(t *testing.T) {
	src := "n:\n  zero: \"zero\"\n  one: \"one\"\n  two: \"two\"\n  few: \"few\"\n  many: \"many\"\n  other: \"other\"\n"
	ui := map[string]string{}
	for _, l := range content.Languages {
		ui["ui/p."+l+".yaml"] = src
	}
	fsys := uiOnly(t, ui)
	c, err := content.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := newReference(t, fsys)
	for _, l := range content.Languages {
		for n := -150; n <= 2500; n++ {
			if got, want := c.N(l, "n", n, nil), ref.render(l, "n", n, map[string]any{"Count": n}); got != want {
				t.Fatalf("%s, %d: %s, want %s", l, n, got, want)
			}
		}
	}
}

// TestTemplateSubset: the content check reports template features outside the subset the catalog renders.
func TestTemplateSubset(t *testing.T) {
	for _, bad := range []string{
		"{{.A | printf \"%d\"}}", "{{.A.B}}", "{{if .A}}x", "x{{end}}", "{{else}}", "{{range .A}}x{{end}}",
		"{{- .A}}", "{{/* c */}}", "{{.}}", "{{if .A}}x{{else if .B}}y{{end}}", "{{.A",
	} {
		fsys := fstest.MapFS{}
		for _, l := range content.Languages {
			fsys["ui/p."+l+".yaml"] = &fstest.MapFile{Data: []byte(fmt.Sprintf("k: %q\n", bad))}
		}
		reported := false
		for _, p := range content.Check(fsys) {
			reported = reported || strings.Contains(p.Message, "key k does not render")
		}
		if !reported {
			t.Errorf("%q accepted", bad)
		}
	}
	ui := map[string]string{}
	for _, l := range content.Languages {
		ui["ui/p."+l+".yaml"] = `k: "{{ .A }}{{if .B}}b{{if .C}}c{{end}}{{else}}-{{end}}!"` + "\n"
	}
	c, err := content.Load(uiOnly(t, ui))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		data map[string]any
		want string
	}{
		{map[string]any{"A": "a", "B": true, "C": 1}, "abc!"},
		{map[string]any{"A": 1, "B": "x", "C": 0}, "1b!"},
		{map[string]any{"B": false}, "<no value>-!"},
	} {
		if got := c.T("da", "k", tc.data); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.data, got, tc.want)
		}
	}
}
