// Package content holds the programme's words: UI strings, lessons and check-in instruments in English, Danish and
// Romanian, embedded in the binary, with a loader that validates them at start-up and a checker for CI.
package content

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
)

// Languages every text must exist in. English is the fallback.
var Languages = []string{"en", "da", "ro"}

//go:embed ui lessons instruments safety guides
var embedded embed.FS

// FS returns the embedded content files.
func FS() fs.FS { return embedded }

// Catalog is the loaded, validated content.
type Catalog struct {
	// msgs are the UI strings per language and id. The files are go-i18n's format (read with its parser);
	// rendering and plural forms are ours (template.go).
	msgs map[string]map[string]*message
	// ids lists the UI string ids per language.
	ids map[string]map[string]bool
	// plural marks ids that have plural forms in some language.
	plural map[string]bool
}

// message is one UI string in one language: a template per CLDR plural form given ("other" for a plain string).
type message struct {
	forms map[string]tmpl
	// bad are the forms that do not parse, and why; they never render (the content check reports them).
	bad map[string]error
}

var (
	defaultOnce    sync.Once
	defaultCatalog *Catalog
	defaultErr     error
)

// Default loads the embedded content once and returns it.
func Default() (*Catalog, error) {
	defaultOnce.Do(func() { defaultCatalog, defaultErr = Load(embedded) })
	return defaultCatalog, defaultErr
}

// MustDefault is Default for tests and tools; it panics on invalid content.
func MustDefault() *Catalog {
	c, err := Default()
	if err != nil {
		panic(err)
	}
	return c
}

// Load reads and validates the content in fsys. It fails on any problem Check reports.
func Load(fsys fs.FS) (*Catalog, error) {
	c, problems := load(fsys)
	if len(problems) > 0 {
		return nil, fmt.Errorf("content: %d problems, first: %s", len(problems), problems[0])
	}
	return c, nil
}

// Problem is one thing wrong with the content.
type Problem struct {
	File    string
	Message string
}

func (p Problem) String() string { return p.File + ": " + p.Message }

// Check reports every problem in the content: missing languages or keys, bad templates, plural forms a language
// needs, and the lesson and instrument rules.
func Check(fsys fs.FS) []Problem {
	_, problems := load(fsys)
	return problems
}

func load(fsys fs.FS) (*Catalog, []Problem) {
	var problems []Problem
	c := &Catalog{msgs: map[string]map[string]*message{}, ids: map[string]map[string]bool{}, plural: map[string]bool{}}
	for _, l := range Languages {
		c.ids[l] = map[string]bool{}
		c.msgs[l] = map[string]*message{}
	}
	files, err := fs.Glob(fsys, "ui/*.yaml")
	if err != nil || len(files) == 0 {
		return nil, []Problem{{File: "ui", Message: "no UI string files"}}
	}
	unmarshal := map[string]i18n.UnmarshalFunc{"yaml": yaml.Unmarshal}
	groups := map[string]map[string]bool{} // file group ("core") → languages present
	for _, f := range files {
		base := strings.TrimSuffix(path.Base(f), ".yaml")
		group, lang, ok := strings.Cut(base, ".")
		if !ok || !isLanguage(lang) {
			problems = append(problems, Problem{f, "file name must be <group>.<en|da|ro>.yaml"})
			continue
		}
		if groups[group] == nil {
			groups[group] = map[string]bool{}
		}
		groups[group][lang] = true
		buf, err := fs.ReadFile(fsys, f)
		if err != nil {
			problems = append(problems, Problem{f, err.Error()})
			continue
		}
		mf, err := i18n.ParseMessageFileBytes(buf, f, unmarshal)
		if err != nil {
			problems = append(problems, Problem{f, err.Error()})
			continue
		}
		for _, m := range mf.Messages {
			if c.ids[lang][m.ID] {
				problems = append(problems, Problem{f, "duplicate id " + m.ID})
			}
			c.ids[lang][m.ID] = true
			if m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != "" {
				c.plural[m.ID] = true
			}
			if m.LeftDelim != "" || m.RightDelim != "" {
				problems = append(problems, Problem{f, "custom template delimiters are not supported: " + m.ID})
			}
			c.msgs[lang][m.ID] = newMessage(m)
			problems = append(problems, checkUIText(f, m)...)
		}
	}
	for group, langs := range groups {
		for _, l := range Languages {
			if !langs[l] {
				problems = append(problems, Problem{"ui/" + group + "." + l + ".yaml", "missing language file"})
			}
		}
	}
	problems = append(problems, c.checkKeys()...)
	for _, check := range extraChecks {
		problems = append(problems, check(fsys)...)
	}
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].File < problems[j].File })
	return c, problems
}

// newMessage parses every plural form of m.
func newMessage(m *i18n.Message) *message {
	msg := &message{forms: map[string]tmpl{}, bad: map[string]error{}}
	for _, f := range []struct{ form, src string }{
		{"zero", m.Zero}, {"one", m.One}, {"two", m.Two}, {"few", m.Few}, {"many", m.Many}, {"other", m.Other},
	} {
		if f.src == "" {
			continue
		}
		t, err := parseTemplate(f.src)
		if err != nil {
			msg.bad[f.form] = err
			continue
		}
		msg.forms[f.form] = t
	}
	return msg
}

// checkUIText finds helpline numbers and names written into a UI string (the safety texts get them through a
// template field filled from configuration) and single-brace placeholders, which UI templates never fill.
func checkUIText(file string, m *i18n.Message) []Problem {
	var out []Problem
	for _, src := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
		if h := HardcodedHelpline(src); h != "" {
			out = append(out, Problem{file, fmt.Sprintf("%s has a hard-coded helpline %q: pass the configured line as a template field", m.ID, h)})
		}
		for _, p := range placeholders(src) {
			out = append(out, Problem{file, fmt.Sprintf("%s has %s, which UI strings do not fill: use {{.Field}}", m.ID, p)})
		}
	}
	return out
}

// extraChecks are the checks of other content kinds (lessons, instruments), registered by their files.
var extraChecks []func(fs.FS) []Problem

func isLanguage(l string) bool {
	for _, x := range Languages {
		if x == l {
			return true
		}
	}
	return false
}

// checkKeys finds ids missing in a language and messages that fail to render (bad template, missing plural form).
func (c *Catalog) checkKeys() []Problem {
	var problems []Problem
	all := map[string]bool{}
	for _, ids := range c.ids {
		for id := range ids {
			all[id] = true
		}
	}
	for id := range all {
		for _, l := range Languages {
			if !c.ids[l][id] {
				problems = append(problems, Problem{"ui (" + l + ")", "missing key " + id})
				continue
			}
			// Render with counts that reach every CLDR plural form of en, da and ro.
			if !c.plural[id] {
				if _, err := c.renderIn(l, id, nil, sampleData{}); err != nil {
					problems = append(problems, Problem{"ui (" + l + ")", fmt.Sprintf("key %s does not render: %v", id, err)})
				}
				continue
			}
			for _, n := range []int{0, 1, 2, 5, 21, 101} {
				if _, err := c.renderIn(l, id, &n, sampleData{}); err != nil {
					problems = append(problems, Problem{"ui (" + l + ")", fmt.Sprintf("key %s does not render for count %d: %v", id, n, err)})
					break
				}
			}
		}
	}
	return problems
}

// sampleData answers any template field during the check.
type sampleData map[string]any

// Has reports whether a UI string exists in lang.
func (c *Catalog) Has(lang, id string) bool { return c.ids[lang][id] }

// T renders UI string id in lang with data. A missing translation falls back to English, then to the id itself:
// a user never sees a crash for a missing text, and the content check catches it before release.
func (c *Catalog) T(lang, id string, data map[string]any) string {
	return c.render(lang, id, nil, data)
}

// N renders a UI string with a plural count (available to the template as .Count).
func (c *Catalog) N(lang, id string, count int, data map[string]any) string {
	if data == nil {
		data = map[string]any{}
	}
	data["Count"] = count
	return c.render(lang, id, &count, data)
}

func (c *Catalog) render(lang, id string, count *int, data map[string]any) string {
	for _, l := range []string{lang, "en"} {
		if !c.ids[l][id] {
			continue
		}
		if s, err := c.renderIn(l, id, count, data); err == nil {
			return s
		}
	}
	return id
}

// renderIn renders id in language l: the plural form count needs (or "other" without a count).
func (c *Catalog) renderIn(l, id string, count *int, data map[string]any) (string, error) {
	m := c.msgs[l][id]
	if m == nil || len(m.forms)+len(m.bad) == 0 {
		return "", fmt.Errorf("message %q not found in language %q", id, l)
	}
	form := "other"
	if count != nil {
		form = pluralForm(l, *count)
	}
	if err := m.bad[form]; err != nil {
		return "", fmt.Errorf("message %q, form %q: %w", id, form, err)
	}
	t, ok := m.forms[form]
	if !ok {
		return "", fmt.Errorf("message %q has no plural form %q", id, form)
	}
	var b strings.Builder
	t.execute(&b, data)
	return b.String(), nil
}

// loadOnce returns a function that loads one kind of embedded content the first time it is called and returns the
// same result after; any problem the kind's checks report makes it an error.
func loadOnce[T any](what string, load func(fs.FS) (T, []Problem)) func() (T, error) {
	return sync.OnceValues(func() (T, error) {
		v, problems := load(embedded)
		if len(problems) > 0 {
			var zero T
			return zero, fmt.Errorf("%s: %d problems, first: %s", what, len(problems), problems[0])
		}
		return v, nil
	})
}
